/**
 * `sync --dry-run` predicts the real run that follows it: against a CRM already full of people (so
 * patrons are created, linked, held and rejected), with loans and engagement, the plan's counts and
 * the ids of each action equal what the real run then reports and leaves in the CRM; and the dry run
 * itself leaves the CRM and Redis exactly as they were. Expected ids come from the CRM's rows before
 * and after the real run, not from the code under test.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { planRun } from '../../src/cli/dry-run-command.js';
import { bundledMapping } from '../../src/core/paths.js';
import { nullLogger } from '../../src/core/logger.js';
import type { DryRunPlan, PlannedRecord } from '../../src/pipeline/dry-run.js';
import type { RunReport } from '../../src/state/ports.js';
import { REDIS_URL, startSyncHarness, type SyncHarness } from './sync-harness.js';

let h: SyncHarness;
let redis: Redis;

const ENTITIES = ['Contact', 'Email', 'Phone', 'Address', 'Group', 'GroupContact', 'Activity', 'ActivityContact'];
const crmRows = () => Object.fromEntries(ENTITIES.map((e) => [e, h.env.civi.rows(e)]));
/** CRM calls that change something (Contact.save, GroupContact.save, Activity.delete, …): all but the gets. */
const crmWrites = () => Object.entries(h.env.civi.stats.byAction).filter(([action]) => !action.includes('.get')).reduce((n, [, count]) => n + count, 0);

/** Every key of this test's state in Redis, with its value (cursors, synced state, failures, conflicts, runs, loan index). */
async function redisState(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const key of (await redis.keys(`${h.prefix}:state:*`)).sort()) {
    const type = await redis.type(key);
    out[key] = type === 'hash' ? await redis.hgetall(key)
      : type === 'set' ? (await redis.smembers(key)).sort()
        : type === 'zset' ? await redis.zrangebyscore(key, '-inf', '+inf', 'WITHSCORES')
          : type === 'list' ? await redis.lrange(key, 0, -1)
            : await redis.get(key);
  }
  return out;
}

const plan = (mode: 'incremental' | 'full') => planRun(h.loaded, nullLogger, { mode, sourceIds: ['koha'] });
const stream = (p: DryRunPlan, name: string) => p.streams.find((s) => s.stream === name)!;
const ids = (p: DryRunPlan, name: string, action: PlannedRecord['action']) => stream(p, name).records.filter((r) => r.action === action).map((r) => r.recordId).sort();
const sorted = (xs: Iterable<string>) => [...xs].sort();
const patronOf = (c: Record<string, unknown>) => (typeof c.external_identifier === 'string' && c.external_identifier.startsWith('koha:') ? c.external_identifier.slice(5) : null);
const COUNTS = ['read', 'created', 'linked', 'updated', 'unchanged', 'skipped', 'held', 'rejected', 'deleted', 'conflicts', 'withWarnings', 'retried'] as const;
const countsOf = (s: Record<(typeof COUNTS)[number], number> & { stream: string }) => ({ stream: s.stream, ...Object.fromEntries(COUNTS.map((c) => [c, s[c]])) });

/** Runs a dry run, checks it wrote nothing anywhere, then the real run of the same mode; returns both. */
async function planThenRun(mode: 'incremental' | 'full'): Promise<{ planned: DryRunPlan; report: RunReport; before: ReturnType<typeof crmRows> }> {
  const before = crmRows();
  const writes = crmWrites();
  const state = await redisState();
  const planned = await plan(mode);
  expect(crmRows()).toEqual(before);
  expect(crmWrites()).toBe(writes);
  expect(await redisState()).toEqual(state);
  const report = await h.sync(mode);
  return { planned, report, before };
}

/** The plan's counts are the real report's, stream by stream. */
function expectSameCounts(planned: DryRunPlan, report: RunReport): void {
  expect(planned.status).toBe('done');
  expect(report.status).toBe('done');
  expect(planned.streams.map(countsOf)).toEqual(report.sources.map(countsOf));
  for (const s of report.sources) expect([s.stream, ids(planned, s.stream, 'rejected')]).toEqual([s.stream, sorted(s.rejections.map((r) => r.recordId))]);
}

beforeAll(async () => {
  h = await startSyncHarness({ patrons: 250, seed: 21, civiPrefill: { seed: 5 }, mapping: bundledMapping(), pageSize: 40, batchSize: 25 });
  redis = new Redis(REDIS_URL);
}, 120_000);
afterAll(async () => {
  redis?.disconnect();
  await h?.stop();
});

describe('sync --dry-run', () => {
  it('before the first night: plans exactly what the first full run then does, and writes nothing', async () => {
    const { planned, report, before } = await planThenRun('full');
    expectSameCounts(planned, report);
    const p = stream(planned, 'patrons');
    expect(p.created).toBeGreaterThan(0);
    expect(p.linked).toBeGreaterThan(0);
    expect(p.held).toBeGreaterThan(0);
    expect(p.rejected).toBeGreaterThan(0);

    const was = new Map(before.Contact!.map((c) => [c.id, c]));
    const after = h.env.civi.rows('Contact');
    const created = after.filter((c) => !was.has(c.id)).map(patronOf).filter((x): x is string => x !== null);
    const linked = after.filter((c) => was.has(c.id) && patronOf(was.get(c.id)!) === null).map(patronOf).filter((x): x is string => x !== null);
    expect(ids(planned, 'patrons', 'created')).toEqual(sorted(created));
    expect(ids(planned, 'patrons', 'linked')).toEqual(sorted(linked));
    // Held: what the real run keeps waiting for a person (or, for loans, for their patron's contact).
    const failures = await h.app.state.listFailures('koha');
    for (const s of ['patrons', 'checkouts']) {
      expect([s, ids(planned, s, 'held')]).toEqual([s, sorted(failures.filter((f) => f.stream === s && (f.code === 'CONFLICT' || f.code === 'WAITING_PATRON')).map((f) => f.recordId))]);
    }
    // Loans: an activity per planned creation.
    const oldActivities = new Set(before.Activity!.map((a) => a.id));
    const loans = h.env.civi.rows('Activity').filter((a) => !oldActivities.has(a.id) && a['Library_Loan.Loan_ID'] != null).map((a) => String(a['Library_Loan.Loan_ID']).split(':').pop()!);
    expect(ids(planned, 'checkouts', 'created')).toEqual(sorted(loans));
    // Engagement: the patrons whose engagement fields the run changed.
    const engaged = after.filter((c) => c['Library_Engagement.Last_Loan'] != null && was.get(c.id)?.['Library_Engagement.Last_Loan'] == null).map(patronOf).filter((x): x is string => x !== null);
    expect(sorted([...ids(planned, 'engagement', 'created'), ...ids(planned, 'engagement', 'updated')])).toEqual(sorted(engaged));
    // A new contact's values are what the CRM then holds.
    const sample = p.records.find((r) => r.action === 'created')!;
    const made = after.find((c) => patronOf(c) === sample.recordId)!;
    expect(sample.contactId).toBeNull();
    expect(sample.changes!.find((c) => c.field === 'last_name')!.after).toBe(made.last_name);
  }, 120_000);

  it('after changes in Koha: an incremental dry run plans just those changes, field by field, and the run then does them', async () => {
    const patrons = h.env.dataset.patrons.filter((x) => h.env.civi.rows('Contact').some((c) => patronOf(c) === String(x.patron_id)));
    const moved = patrons[3]!;
    const oldCity = h.env.civi.rows('Address').find((a) => a.contact_id === h.env.civi.rows('Contact').find((c) => patronOf(c) === String(moved.patron_id))!.id && a.is_primary)?.city ?? null;
    h.env.koha.updatePatron(moved.patron_id, { city: 'Dryrunville' });
    const borrower = patrons[8]!;
    const loan = h.env.koha.lend(borrower.patron_id);

    const { planned, report } = await planThenRun('incremental');
    expectSameCounts(planned, report);
    expect(ids(planned, 'patrons', 'updated')).toEqual([String(moved.patron_id)]);
    expect(ids(planned, 'patrons', 'created')).toEqual([]);
    expect(ids(planned, 'patrons', 'linked')).toEqual([]);
    const update = stream(planned, 'patrons').records.find((r) => r.action === 'updated')!;
    expect(update.changes).toEqual([{ field: 'address_primary.city', before: oldCity, after: 'Dryrunville' }]);
    expect(ids(planned, 'checkouts', 'created')).toEqual([String(loan)]);
    expect(ids(planned, 'engagement', 'updated')).toEqual([String(borrower.patron_id)]);
    const contactId = h.env.civi.rows('Contact').find((c) => patronOf(c) === String(moved.patron_id))!.id;
    expect(h.env.civi.rows('Address').find((a) => a.contact_id === contactId && a.is_primary)?.city).toBe('Dryrunville');
  }, 120_000);

  it('a full dry run after a patron left Koha plans the sweep\'s flag, and a CRM user\'s edit kept by policy as a logged conflict', async () => {
    const contactOf = (patronId: number) => h.env.civi.rows('Contact').find((c) => patronOf(c) === String(patronId))!;
    const lending = new Set(h.env.koha.checkouts().filter((c) => c.checkin_date === null).map((c) => c.patron_id));
    const linked = h.env.dataset.patrons.filter((x) => h.env.civi.rows('Contact').some((c) => patronOf(c) === String(x.patron_id)));
    const gone = linked.find((x) => !lending.has(x.patron_id) && x.patron_id % 2 === 0)!;
    h.env.koha.deletePatron(gone.patron_id);
    const edited = linked.find((x) => x !== gone && (x.email ?? '').includes('@') && (x.phone ?? '') !== '')!;
    h.env.civi.editContact(Number(contactOf(edited.patron_id).id), { 'email_primary.email': 'edited.by.staff@example.org' });
    h.env.koha.updatePatron(edited.patron_id, { email: 'changed.in.koha@example.org' });

    const { planned, report } = await planThenRun('full');
    expectSameCounts(planned, report);
    expect(ids(planned, 'sweep', 'updated')).toEqual([String(gone.patron_id)]);
    expect(stream(planned, 'sweep').records[0]).toMatchObject({ groups: { add: ['Former_Library_Patrons'], remove: [] } });
    const group = h.env.civi.rows('Group').find((g) => g.name === 'Former_Library_Patrons')!;
    expect(h.env.civi.rows('GroupContact').some((g) => g.group_id === group.id && g.contact_id === contactOf(gone.patron_id).id && g.status === 'Added')).toBe(true);
    expect(stream(planned, 'patrons').conflictList).toContainEqual(expect.objectContaining({ recordId: String(edited.patron_id), kind: 'field', field: 'email_primary.email', decision: 'crm' }));
    expect(h.env.civi.rows('Email').filter((e) => e.contact_id === contactOf(edited.patron_id).id && e.is_primary).map((e) => e.email)).toEqual(['edited.by.staff@example.org']);
  }, 120_000);
});
