import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '../../src/config/load.js';
import { BridgeError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import { createAlarmLog, watchdog, type SourceVerdict, type WatchdogInput, type WatchdogState } from '../../src/schedule/index.js';

const NIGHTLY = { cron: '0 2 * * *', fullCron: null, timezone: 'UTC', graceMinutes: 120 };
const BERLIN = { ...NIGHTLY, timezone: 'Europe/Berlin' };
const WITH_FULL = { ...NIGHTLY, fullCron: '0 3 * * 0' }; // Sundays 03:00; 2026-03-08 and 2026-03-15 are Sundays
const d = (iso: string) => new Date(iso);
const base = { lastSuccessAt: null, lastFullSuccessAt: null, installedAt: d('2026-01-01T00:00:00Z') };

describe('the watchdog', () => {
  // [case, input, expected state, expected due firing, message pattern]
  const cases: Array<[string, Partial<WatchdogInput> & Pick<WatchdogInput, 'now'>, WatchdogState, string | null, RegExp]> = [
    ['no schedule', { schedule: null, now: d('2026-03-10T12:00:00Z') }, 'unscheduled', null, /no schedule/],
    ['succeeded after last night\'s firing', { schedule: NIGHTLY, lastSuccessAt: d('2026-03-10T02:20:00Z'), now: d('2026-03-10T12:00:00Z') }, 'ok', '2026-03-10T02:00:00.000Z', /on schedule: last success 2026-03-10T02:20:00Z/],
    ['tonight\'s run still within its grace', { schedule: NIGHTLY, lastSuccessAt: d('2026-03-09T02:20:00Z'), now: d('2026-03-10T03:59:00Z') }, 'ok', '2026-03-09T02:00:00.000Z', /on schedule/],
    ['tonight\'s run not done when the grace ends (stuck, failing, or never fired)', { schedule: NIGHTLY, lastSuccessAt: d('2026-03-09T02:20:00Z'), now: d('2026-03-10T04:00:00Z') }, 'late', '2026-03-10T02:00:00.000Z', /late: no successful run since the one due at 2026-03-10T02:00:00Z \(grace 120 min\); last success 2026-03-09T02:20:00Z/],
    ['a success before the firing does not cover it', { schedule: NIGHTLY, lastSuccessAt: d('2026-03-10T01:59:59Z'), now: d('2026-03-10T12:00:00Z') }, 'late', '2026-03-10T02:00:00.000Z', /late/],
    ['runs stopped days ago', { schedule: NIGHTLY, lastSuccessAt: d('2026-03-06T02:20:00Z'), now: d('2026-03-10T12:00:00Z') }, 'late', '2026-03-10T02:00:00.000Z', /last success 2026-03-06T02:20:00Z/],
    ['never succeeded, a firing past its grace', { schedule: NIGHTLY, now: d('2026-03-10T12:00:00Z') }, 'never', '2026-03-10T02:00:00.000Z', /never succeeded: a run was due at 2026-03-10T02:00:00Z/],
    ['installed after the last firing: nothing due yet', { schedule: NIGHTLY, installedAt: d('2026-03-10T10:00:00Z'), now: d('2026-03-10T12:00:00Z') }, 'ok', null, /no run due yet: the first scheduled run is at 2026-03-11T02:00:00Z/],
    ['installed before the firing, which passed its grace without a success', { schedule: NIGHTLY, installedAt: d('2026-03-10T01:00:00Z'), now: d('2026-03-10T12:00:00Z') }, 'never', '2026-03-10T02:00:00.000Z', /never succeeded/],
    ['no worker installed the schedule', { schedule: NIGHTLY, installedAt: null, lastSuccessAt: d('2026-03-01T02:20:00Z'), now: d('2026-03-10T12:00:00Z') }, 'late', '2026-03-10T02:00:00.000Z', /no worker has installed this schedule/],
    ['the zone is the schedule\'s: 02:00 in Berlin is 01:00 UTC in March', { schedule: BERLIN, lastSuccessAt: d('2026-03-10T01:30:00Z'), now: d('2026-03-10T12:00:00Z') }, 'ok', '2026-03-10T01:00:00.000Z', /on schedule/],
    ['a zero grace makes a firing due at once', { schedule: { ...NIGHTLY, graceMinutes: 0 }, lastSuccessAt: d('2026-03-09T02:20:00Z'), now: d('2026-03-10T02:00:00Z') }, 'late', '2026-03-10T02:00:00.000Z', /grace 0 min/],
    ['a full run due and done', { schedule: WITH_FULL, lastSuccessAt: d('2026-03-10T02:20:00Z'), lastFullSuccessAt: d('2026-03-08T04:00:00Z'), now: d('2026-03-10T12:00:00Z') }, 'ok', '2026-03-10T02:00:00.000Z', /on schedule/],
    ['nightly runs fine, but the weekly full run failed', { schedule: WITH_FULL, lastSuccessAt: d('2026-03-10T02:20:00Z'), lastFullSuccessAt: d('2026-03-01T04:00:00Z'), now: d('2026-03-10T12:00:00Z') }, 'late', '2026-03-08T03:00:00.000Z', /late: no successful full run since the one due at 2026-03-08T03:00:00Z .*last successful full run 2026-03-01T04:00:00Z/],
    ['a full run covers the nightly firing', { schedule: WITH_FULL, lastSuccessAt: d('2026-03-08T04:00:00Z'), lastFullSuccessAt: d('2026-03-08T04:00:00Z'), now: d('2026-03-08T12:00:00Z') }, 'ok', '2026-03-08T02:00:00.000Z', /on schedule/],
  ];

  it.each(cases)('%s', (_name, input, state, dueAt, message) => {
    const verdict = watchdog({ schedule: null, ...base, ...input });
    expect(verdict.state).toBe(state);
    expect(verdict.dueAt?.toISOString() ?? null).toBe(dueAt);
    expect(verdict.message).toMatch(message);
    expect(verdict.message).not.toContain('\n');
  });
});

describe('the worker\'s watchdog log', () => {
  const lines: Array<[string, string]> = [];
  const logger: Logger = {
    debug: () => {}, warn: () => {},
    info: (m) => void lines.push(['info', m]),
    error: (m) => void lines.push(['error', m]),
  };
  const at = (state: WatchdogState): SourceVerdict => ({ sourceId: 'koha', schedule: NIGHTLY, lastSuccessAt: null, verdict: { state, message: state, dueAt: null } });

  it('says a source is late when it turns late, again once an hour while it stays late, and when it is back', () => {
    const log = createAlarmLog(logger, 60 * 60_000);
    const minute = (n: number) => new Date(Date.UTC(2026, 2, 10, 4, n));
    log.report([at('ok')], minute(0));
    log.report([at('late')], minute(1));
    log.report([at('late')], minute(2));
    log.report([at('late')], minute(60));
    log.report([at('late')], minute(61));
    log.report([at('ok')], minute(62));
    log.report([at('ok')], minute(63));
    expect(lines).toEqual([
      ['error', 'watchdog: source "koha" is late'],
      ['error', 'watchdog: source "koha" is late'],
      ['info', 'watchdog: source "koha" is back on schedule'],
    ]);
  });
});

describe('schedule configuration', () => {
  const config = (schedule: string) => `
crm: { base_url: "http://127.0.0.1:8091", api_key: k }
sources:
  - { id: koha, type: koha, base_url: "http://127.0.0.1:8081", auth: { type: basic, username: u, password: p }, mapping: m.yaml, timezone: Europe/Paris,
      schedule: ${schedule} }
`;
  const problem = (schedule: string) => {
    try {
      parseConfig(config(schedule), '/etc/pb/c.yaml');
    } catch (err) {
      if (err instanceof BridgeError) return err.message;
      throw err;
    }
    throw new Error('expected the config to be rejected');
  };

  it('takes a cron expression with defaults: grace 120 minutes, the zone left to the source', () => {
    const { config: c } = parseConfig(config('{ cron: "0 2 * * *", full_cron: "0 3 * * 0" }'), 'c.yaml');
    expect(c.sources[0]!.schedule).toEqual({ cron: '0 2 * * *', full_cron: '0 3 * * 0', grace_minutes: 120 });
    expect(c.sync.keep_runs_days).toBe(90);
  });

  it.each([
    ['a minute out of range', '{ cron: "61 2 * * *" }', /sources\[0\]\.schedule\.cron: invalid cron expression/],
    ['too few fields', '{ cron: "0 2 * *" }', /sources\[0\]\.schedule\.cron: expected a cron expression of 5 fields .* got 4/],
    ['a bad full cron', '{ cron: "0 2 * * *", full_cron: "every sunday" }', /sources\[0\]\.schedule\.full_cron: /],
    ['an unknown zone', '{ cron: "0 2 * * *", timezone: Europe/Pariss }', /sources\[0\]\.schedule\.timezone: unknown time zone "Europe\/Pariss"/],
    ['a negative grace', '{ cron: "0 2 * * *", grace_minutes: -1 }', /sources\[0\]\.schedule\.grace_minutes/],
  ])('refuses %s, naming the key', (_name, schedule, message) => {
    expect(problem(schedule)).toMatch(message);
  });
});
