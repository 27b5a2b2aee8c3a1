export { isAlarm, isoSeconds, watchdog } from './watchdog.js';
export type { WatchdogInput, WatchdogState, WatchdogVerdict, WatchedSchedule } from './watchdog.js';
export { scheduleKey, scheduleOf, scheduleStatus, watchdogStates } from './status.js';
export type { SourceScheduleStatus, SourceVerdict } from './status.js';
export { createAlarmLog } from './alarms.js';
export { startScheduledRun } from './scheduled-run.js';
export { scheduleSpecs, startSchedules } from './service.js';
