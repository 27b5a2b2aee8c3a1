/**
 * The Redis state's page commit on a real Redis: it takes effect only while the run holds its
 * source's lease, never moves the cursor backwards, keeps a page's first commit, and keeps,
 * counts, parks and clears failures in the same step.
 */
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Cursor } from '../../src/core/types.js';
import { createMemoryState, createRedisState, emptyPageResult, LeaseLostError, type PageCommit, type SyncState } from '../../src/state/index.js';
import { REDIS_URL } from './sync-harness.js';

const redis = new Redis(REDIS_URL);
let prefix: string;
let state: SyncState;

beforeEach(() => {
  prefix = `pb-test-state-${randomBytes(3).toString('hex')}`;
  state = createRedisState(redis, prefix, { leaseTtlMs: 5_000 });
});
afterAll(async () => {
  const keys = await redis.keys('pb-test-state-*');
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

const commit = (over: Partial<PageCommit> = {}): PageCommit => ({
  runId: 'r1', sourceId: 'koha', unit: 'koha', stream: 'patrons', pageNo: 1, result: { ...emptyPageResult(), read: 2, created: 2 },
  sent: new Map([['koha:1', { fields: {}, groups: [], at: '2026-11-23T00:00:00.000Z' }]]),
  cursor: { updatedAt: '2026-03-01T10:00:00.000Z', lastId: '20' }, next: null, retryNext: false,
  failed: [], cleared: [], parkAfterRuns: 2, conflicts: [], applied: [], at: '2026-11-23T00:00:00.000Z',
  ...over,
});
const cursorAt = (updatedAt: string, lastId: string): Cursor => ({ updatedAt, lastId });

describe.each([
  ['Redis', () => state],
  ['memory', () => createMemoryState()],
])('the turn of a patron page that writes beside the page before (%s state)', (_name, make) => {
  it('waits, then gets what the page before touches once it has its contacts in the CRM and the one before it committed; a commit drops the mark', async () => {
    const s = make();
    await s.createRun({ runId: 'r1', mode: 'full', units: ['koha'], startedAt: '2026-11-23T00:00:00.000Z' });
    await s.acquireLease('koha', 'r1', 5_000);
    const touch = { keys: ['koha:1', 'koha:2'], contacts: [101, 102] };
    expect(await s.writeTurn('r1', 'koha', 2)).toBe('wait');
    await s.markWritten('r1', 'koha', 1, touch);
    expect(await s.writeTurn('r1', 'koha', 2)).toEqual(touch); // page 1 has no page before it
    // page 3: page 2 marked, but page 1 not committed yet
    await s.markWritten('r1', 'koha', 2, { keys: ['koha:3'], contacts: [103] });
    expect(await s.writeTurn('r1', 'koha', 3)).toBe('wait');
    await s.commitPage(commit({ pageNo: 1 }));
    expect(await s.writeTurn('r1', 'koha', 2)).toBe('go');
    expect(await s.writeTurn('r1', 'koha', 3)).toEqual({ keys: ['koha:3'], contacts: [103] });
    await s.commitPage(commit({ pageNo: 2 }));
    expect(await s.writeTurn('r1', 'koha', 3)).toBe('go');
    // the stream ends (a page failed for good): the next pages are not to be written
    await s.finishSource('r1', 'koha', { status: 'failed', error: 'page 3: boom', at: '2026-11-23T00:01:00.000Z' });
    expect(await s.writeTurn('r1', 'koha', 4)).toBe('ended');
  });
});

describe('Redis state', () => {
  it('a commit drops the mark of its page (Redis keeps no marks of committed pages)', async () => {
    await state.createRun({ runId: 'r1', mode: 'full', units: ['koha'], startedAt: '2026-11-23T00:00:00.000Z' });
    await state.acquireLease('koha', 'r1', 5_000);
    await state.markWritten('r1', 'koha', 1, { keys: ['koha:1'], contacts: [101] });
    expect(await redis.hkeys(`${prefix}:state:run:r1:written:koha`)).toEqual(['1']);
    expect(await redis.ttl(`${prefix}:state:run:r1:written:koha`)).toBeGreaterThan(0);
    await state.commitPage(commit({ pageNo: 1 }));
    expect(await redis.exists(`${prefix}:state:run:r1:written:koha`)).toBe(0);
  });

  it('one run holds a source: a second is refused until the first releases it or its lease lapses', async () => {
    expect(await state.acquireLease('koha', 'r1', 5_000)).toEqual({ ok: true });
    expect(await state.acquireLease('koha', 'r1', 5_000)).toEqual({ ok: true }); // renewal
    expect(await state.acquireLease('koha', 'r2', 5_000)).toEqual({ ok: false, holder: 'r1' });
    await state.releaseLease('koha', 'r2'); // not its lease: no effect
    expect(await state.leaseHolder('koha')).toBe('r1');
    await state.releaseLease('koha', 'r1');
    expect(await state.acquireLease('koha', 'r2', 200)).toEqual({ ok: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(await state.acquireLease('koha', 'r3', 5_000)).toEqual({ ok: true });
  });

  it('a commit without the lease writes nothing and says who holds the source', async () => {
    await state.acquireLease('koha', 'r2', 5_000);
    await expect(state.commitPage(commit())).rejects.toEqual(new LeaseLostError('koha', 'r1', 'r2'));
    expect(await state.getCommittedPage('r1', 'koha', 1)).toBeNull();
    expect(await state.getCursor('koha')).toEqual({ updatedAt: null, lastId: null });
    expect((await state.getSent('koha', ['koha:1'])).size).toBe(0);
  });

  it('the cursor only moves forward, by time and then by numeric id', async () => {
    await state.acquireLease('koha', 'r1', 5_000);
    await state.commitPage(commit({ pageNo: 1, cursor: cursorAt('2026-03-01T10:00:00.000Z', '20') }));
    await state.commitPage(commit({ pageNo: 2, cursor: cursorAt('2026-02-01T10:00:00.000Z', '99') }));
    expect(await state.getCursor('koha')).toEqual(cursorAt('2026-03-01T10:00:00.000Z', '20'));
    await state.commitPage(commit({ pageNo: 3, cursor: cursorAt('2026-03-01T10:00:00.000Z', '3') })); // "3" < "20" as numbers
    expect(await state.getCursor('koha')).toEqual(cursorAt('2026-03-01T10:00:00.000Z', '20'));
    await state.commitPage(commit({ pageNo: 4, cursor: cursorAt('2026-03-01T10:00:00.000Z', '100') }));
    expect(await state.getCursor('koha')).toEqual(cursorAt('2026-03-01T10:00:00.000Z', '100'));
    await state.commitPage(commit({ pageNo: 5, cursor: null })); // a page read by id leaves it alone
    expect(await state.getCursor('koha')).toEqual(cursorAt('2026-03-01T10:00:00.000Z', '100'));
    expect((await state.lastCommittedPage('r1', 'koha'))?.pageNo).toBe(5);
  });

  it('a page committed twice keeps its first result', async () => {
    await state.acquireLease('koha', 'r1', 5_000);
    await state.commitPage(commit({ result: { ...emptyPageResult(), read: 2, created: 2 } }));
    await state.commitPage(commit({ result: { ...emptyPageResult(), read: 2, updated: 2 } }));
    expect((await state.getCommittedPage('r1', 'koha', 1))?.result).toMatchObject({ created: 2, updated: 0 });
  });

  it('keeps a failure with its reason, counts attempts and runs, parks it, and clears it once written', async () => {
    const failed = [{ recordId: '7', code: 'CRM_DUPLICATE', reason: 'held by a trashed contact' }];
    await state.acquireLease('koha', 'r1', 5_000);
    await state.commitPage(commit({ pageNo: 1, failed, at: '2026-11-23T01:00:00.000Z' }));
    await state.commitPage(commit({ pageNo: 2, failed, at: '2026-11-23T01:05:00.000Z' }));
    expect(await state.listFailures('koha')).toEqual([{
      sourceId: 'koha', stream: 'patrons', recordId: '7', code: 'CRM_DUPLICATE', reason: 'held by a trashed contact',
      attempts: 2, runs: 1, firstSeen: '2026-11-23T01:00:00.000Z', lastSeen: '2026-11-23T01:05:00.000Z', lastRunId: 'r1', parked: false,
    }]);
    await state.releaseLease('koha', 'r1');
    await state.acquireLease('koha', 'r2', 5_000);
    await state.commitPage(commit({ runId: 'r2', failed, at: '2026-11-24T01:00:00.000Z' }));
    expect((await state.listFailures('koha'))[0]).toMatchObject({ attempts: 3, runs: 2, parked: true, firstSeen: '2026-11-23T01:00:00.000Z' });
    await state.commitPage(commit({ runId: 'r2', pageNo: 2, cleared: ['7'] }));
    expect(await state.listFailures('koha')).toEqual([]);
  });

  it('a source finishes once, releases its lease, and counts its kept failures in the report', async () => {
    await state.createRun({ runId: 'r1', mode: 'full', units: ['koha'], startedAt: '2026-11-23T00:00:00.000Z' });
    await state.createRun({ runId: 'r1', mode: 'incremental', units: ['other'], startedAt: '2026-11-24T00:00:00.000Z' }); // ignored
    await state.acquireLease('koha', 'r1', 5_000);
    await state.commitPage(commit({ failed: [{ recordId: '7', code: 'VALUE_INVALID', reason: 'r' }] }));
    await state.finishSource('r1', 'koha', { status: 'done', at: '2026-11-23T00:00:10.000Z' });
    await state.finishSource('r1', 'koha', { status: 'failed', error: 'late', at: '2026-11-23T00:00:20.000Z' });
    expect(await state.leaseHolder('koha')).toBeNull();
    const run = await state.getRun('r1');
    expect(run).toMatchObject({ mode: 'full', status: 'done', durationMs: 10_000 });
    expect(run?.sources).toEqual([expect.objectContaining({ sourceId: 'koha', status: 'done', created: 2, failures: { open: 1, parked: 0 } })]);
    expect(run?.sources[0]?.error).toBeUndefined();
  });

  it('logs conflicts once per disagreement, keeps a person\'s answer until a page applies it, then closes the conflict', async () => {
    const held = { kind: 'match' as const, sourceId: 'koha', recordId: '7', externalId: 'koha:7', candidates: [5, 9], decision: 'review' as const, reason: '2 CRM contacts have the same e-mail and names' };
    const kept = { kind: 'field' as const, sourceId: 'koha', recordId: '8', externalId: 'koha:8', field: 'email_primary.email', crm: 'a@x.org', source: 'b@x.org', decision: 'crm' as const, reason: 'kept' };
    await state.acquireLease('koha', 'r1', 5_000);
    await state.commitPage(commit({ pageNo: 1, conflicts: [held, kept], at: '2026-11-23T01:00:00.000Z' }));
    await state.commitPage(commit({ pageNo: 2, conflicts: [held], at: '2026-11-23T02:00:00.000Z' }));
    const open = await state.listConflicts('koha', { status: 'open' });
    expect(open).toEqual([expect.objectContaining({ kind: 'match', candidates: [5, 9], firstSeen: '2026-11-23T01:00:00.000Z', lastSeen: '2026-11-23T02:00:00.000Z', status: 'open' })]);
    expect(await state.listConflicts('koha', { status: 'decided' })).toEqual([expect.objectContaining({ field: 'email_primary.email', crm: 'a@x.org', source: 'b@x.org' })]);
    const id = open[0]!.id;
    expect(await state.getConflict('koha', id)).toEqual(open[0]);
    expect(await state.resolveConflict('koha', id, { link: 9 }, '2026-11-23T03:00:00.000Z')).toMatchObject({ status: 'resolved', resolution: { link: 9 } });
    expect(await state.getResolutions('koha', ['koha:7', 'koha:8'])).toEqual(new Map([['match|koha:7|', { link: 9 }]]));
    await state.commitPage(commit({ pageNo: 3, applied: ['match|koha:7|'], at: '2026-11-24T01:00:00.000Z' }));
    expect((await state.getResolutions('koha', ['koha:7'])).size).toBe(0);
    expect(await state.getConflict('koha', id)).toMatchObject({ status: 'resolved', lastSeen: '2026-11-24T01:00:00.000Z' });
    expect(await state.resolveConflict('koha', 'cnosuch', { take: 'crm' }, '2026-11-24T01:00:00.000Z')).toBeNull();
  });
});
