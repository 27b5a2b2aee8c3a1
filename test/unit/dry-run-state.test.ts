/**
 * The dry run's state over a real one (here the in-memory state, standing in for Redis): it reads
 * what the real state holds, sees its own writes afterwards, and leaves the real state as it was;
 * a source that a real run holds is refused.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { createDryRunState } from '../../src/pipeline/dry-run-state.js';
import { createMemoryState, emptyPageResult, type PageCommit, type SyncState } from '../../src/state/index.js';

const AT = '2026-11-23T00:00:00.000Z';
let real: SyncState;
let dry: SyncState;

const commit = (over: Partial<PageCommit> = {}): PageCommit => ({
  runId: 'dry', sourceId: 'koha', unit: 'koha', stream: 'patrons', pageNo: 1, result: { ...emptyPageResult(), read: 1, created: 1 },
  sent: new Map([['koha:2', { groups: [], contactId: -1, at: AT }]]),
  cursor: { updatedAt: '2026-11-20T10:00:00Z', lastId: '2' }, next: null, retryNext: false,
  failed: [{ recordId: '3', code: 'RECORD_INVALID', reason: 'no surname' }], cleared: ['1'], parkAfterRuns: 3, conflicts: [], applied: [], at: AT,
  ...over,
});

beforeEach(async () => {
  real = createMemoryState();
  await real.createRun({ runId: 'old', mode: 'full', units: ['koha'], startedAt: AT });
  await real.acquireLease('koha', 'old', 60_000);
  await real.commitPage({
    ...commit({ runId: 'old', sent: new Map([['koha:1', { groups: ['A'], contactId: 7, at: AT }]]), cursor: { updatedAt: '2026-11-01T00:00:00Z', lastId: '1' } }),
    failed: [{ recordId: '1', code: 'CRM_API', reason: 'refused' }], cleared: [],
  });
  await real.finishSource('old', 'koha', { status: 'done', at: AT });
  await real.noteLoanOwners('koha.checkouts', [{ loanKey: 'koha:loan:10', patronKey: 'koha:1', day: '2026-01-05' }]);
  await real.scheduleEngagements('koha.checkouts', [{ patronKey: 'koha:1', atMs: null }]);
  dry = createDryRunState(real);
  await dry.createRun({ runId: 'dry', mode: 'incremental', units: ['koha'], startedAt: AT });
});

describe('the dry run\'s state', () => {
  it('reads through, sees its own commits, and leaves the real state as it was', async () => {
    expect(await dry.acquireLease('koha', 'dry', 60_000)).toEqual({ ok: true });
    await dry.commitPage(commit());
    expect(await dry.getCursor('koha')).toEqual({ updatedAt: '2026-11-20T10:00:00Z', lastId: '2' });
    expect([...(await dry.getSent('koha', ['koha:1', 'koha:2'])).keys()]).toEqual(['koha:1', 'koha:2']);
    expect((await dry.listFailures('koha')).map((f) => f.recordId)).toEqual(['3']); // 1 written now, 3 rejected
    expect((await dry.getRun('dry'))?.sources[0]).toMatchObject({ created: 1, read: 1 });

    expect(await real.getCursor('koha')).toEqual({ updatedAt: '2026-11-01T00:00:00Z', lastId: '1' });
    expect([...(await real.getSent('koha', ['koha:1', 'koha:2'])).keys()]).toEqual(['koha:1']);
    expect((await real.listFailures('koha')).map((f) => f.recordId)).toEqual(['1']);
    expect(await real.getRun('dry')).toBeNull();
    expect(await real.leaseHolder('koha')).toBeNull();
  });

  it('a loan that changes hands: days and due patrons as the real index would have them, the real index untouched', async () => {
    await dry.noteLoanOwners('koha.checkouts', [
      { loanKey: 'koha:loan:10', patronKey: 'koha:2', day: '2026-01-05' },
      { loanKey: 'koha:loan:11', patronKey: 'koha:2', day: '2026-02-01' },
    ]);
    expect(await dry.loanDaysOf('koha.checkouts', ['koha:1', 'koha:2'])).toEqual(new Map([['koha:1', []], ['koha:2', ['2026-01-05', '2026-02-01']]]));
    expect((await dry.dueEngagements('koha.checkouts', Date.parse(AT), 10)).map((d) => d.patronKey).sort()).toEqual(['koha:1', 'koha:2']);
    await dry.scheduleEngagements('koha.checkouts', [{ patronKey: 'koha:1', atMs: null }, { patronKey: 'koha:2', atMs: Date.parse(AT) + 86_400_000 }]);
    expect(await dry.dueEngagements('koha.checkouts', Date.parse(AT), 10)).toEqual([]);

    expect(await real.loanDaysOf('koha.checkouts', ['koha:1', 'koha:2'])).toEqual(new Map([['koha:1', ['2026-01-05']], ['koha:2', []]]));
    expect(await real.dueEngagements('koha.checkouts', Date.parse(AT), 10)).toEqual([]);
  });

  it('refuses a source a real run holds, as a real run would be refused', async () => {
    await real.createRun({ runId: 'nightly', mode: 'incremental', units: ['koha'], startedAt: AT });
    await real.acquireLease('koha', 'nightly', 60_000);
    expect(await dry.acquireLease('koha', 'dry', 60_000)).toEqual({ ok: false, holder: 'nightly' });
  });
});
