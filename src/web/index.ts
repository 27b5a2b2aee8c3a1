export { createWebServer } from './server.js';
export type { WebActions, WebServerOptions } from './server.js';
export type { HealthCheck, HealthProvider, HealthReport, SchedulesProvider, SourceScheduleStatus, WatchdogState } from './providers.js';
export { escapeHtml, html, SafeHtml } from './html.js';
