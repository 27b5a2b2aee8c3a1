import { beforeEach, describe, expect, it } from '@jest/globals';
import type { Connector } from '../../connectors/connector.js';
import { fitContact } from '../../connectors/civicrm/fit.js';
import type { ContactFit, CrmSink, FieldSpec } from '../../connectors/civicrm/sink.js';
import type { SnapshotRequest } from '../../connectors/civicrm/snapshot.js';
import type { FieldPolicy } from '../../src/core/field-policy.js';
import { BridgeError } from '../../src/core/errors.js';
import { nullLogger } from '../../src/core/logger.js';
import type { ContactWriteResult, CrmLookup, CrmOperation, CrmSnapshot, DesiredContact, Page, PageRequest, SourceRecord, Value } from '../../src/core/types.js';
import type { CompiledMapping, TransformResult } from '../../src/mapping/types.js';
import { createPatronWriter, NotYourTurnError, processPage, resumeRun, startRun, type PageJobData, type PipelineDeps, type WindowPageJob } from '../../src/pipeline/index.js';
import { createMemoryState, emptyPageResult } from '../../src/state/index.js';

const rec = (id: number, updatedAt: string, name = `Name${id}`): SourceRecord => ({
  sourceId: 'koha', kind: 'patron', id: String(id), updatedAt, anonymised: false, data: { patron_id: id, surname: name },
});

/**
 * A mapping that rejects records without a surname, skips anonymised ones, and leaves out an
 * invalid e-mail with a warning (as on_invalid: omit does).
 */
const mapping: CompiledMapping = {
  file: 'test.yaml', sourceType: 'koha', targetFields: ['last_name'], customGroups: [],
  fieldSources: new Map([['last_name', 'surname']]),
  policies: new Map<string, FieldPolicy>([['last_name', { onTooLong: 'truncate', onInvalid: 'omit', required: true }]]),
  sync: { fieldPolicy: () => 'source', groupPolicy: 'crm', matchFields: ['last_name', 'first_name'], onTrashed: 'conflict', onDeleted: 'conflict' },
  managedGroup: () => true,
  loans: null,
  keyOf: (r) => `koha:${r.id}`,
  privacy: { excludeCategories: new Set(), minorAge: 16, minorAction: 'flag', onAnonymised: 'erase' },
  lifecycle: { onGone: 'nothing', onExpired: 'nothing', group: { name: 'Former', title: 'Former' }, maxGonePercent: 20 },
  engagement: null,
  transform(r): TransformResult {
    if (r.anonymised) return { kind: 'skip', reason: 'anonymised' };
    if (!r.data.surname) return { kind: 'reject', code: 'RECORD_INVALID', reason: 'surname is required' };
    return {
      kind: 'contact',
      contact: { externalId: `koha:${r.id}`, sourceId: 'koha', sourceRecordId: r.id, values: { last_name: String(r.data.surname) }, groups: [{ name: 'G', title: 'G' }] },
      ...(r.data.email === 'bad' ? { warnings: [{ field: 'email_primary.email', rule: 'invalid' as const }] } : {}),
    };
  },
};

/** The CRM's last_name column holds 8 characters here. */
const SPECS = new Map<string, FieldSpec>([['last_name', { name: 'last_name', dataType: 'String', maxLength: 8 }]]);

/** A CRM in memory: contacts by key; `refuse` answers a write with a constraint error, `trashed` as a key held in the trash. */
class FakeCrm implements CrmSink {
  calls: CrmOperation[][] = [];
  contacts = new Map<string, { id: number; values: Record<string, Value>; groups: string[] }>();
  refuse = new Set<string>();
  trashed = new Set<string>();
  failWith: Error | null = null;
  missing: string[] = [];
  async describeContactFields() { return SPECS; }
  async missingTargets(targets: readonly string[]) { return targets.filter((t) => this.missing.includes(t)); }
  async fitContacts(contacts: readonly DesiredContact[], policies: ReadonlyMap<string, FieldPolicy>): Promise<ContactFit[]> {
    return contacts.map((c) => fitContact(c, SPECS, policies));
  }
  notes: Array<{ open: string[]; settled: string[] }> = [];
  async noteConflicts(open: ReadonlyArray<{ conflictId: string }>, settled: readonly string[]) {
    if (open.length || settled.length) this.notes.push({ open: open.map((n) => n.conflictId), settled: [...settled] });
  }
  async readContacts(req: SnapshotRequest): Promise<CrmSnapshot> {
    const byKey = new Map<string, CrmLookup>();
    for (const d of req.desired) {
      const c = this.contacts.get(d.externalId);
      if (c) byKey.set(d.externalId, { kind: 'found', contact: { id: c.id, externalId: d.externalId, values: { ...c.values }, groups: [...c.groups], removedGroups: [] } });
    }
    return { byKey, candidates: [] };
  }
  async loanSetupProblem() { return null; }
  async saveActivities(): Promise<never[]> { throw new Error('no loans in these tests'); }
  async deleteActivities() { throw new Error('no loans in these tests'); }
  async activitiesOfContacts(): Promise<string[]> { return []; }
  /** Held after the contacts are saved (onSaved told), as a page's membership writes would be. */
  memberships: Promise<void> | null = null;
  async applyContacts(ops: readonly CrmOperation[], opts: { onSaved?: (ids: number[]) => void } = {}): Promise<ContactWriteResult[]> {
    const results = this.save(ops);
    opts.onSaved?.(results.flatMap((r) => (r.contactId !== undefined ? [r.contactId] : [])));
    if (this.memberships) await this.memberships;
    return results;
  }
  private save(ops: readonly CrmOperation[]): ContactWriteResult[] {
    if (this.failWith) throw this.failWith;
    this.calls.push([...ops]);
    return ops.map((op) => {
      const base = { externalId: op.externalId, sourceRecordId: op.sourceRecordId };
      if (this.refuse.has(op.externalId)) return { ...base, outcome: 'rejected', code: 'CRM_CONSTRAINT', reason: 'refused' };
      if (this.trashed.has(op.externalId)) return { ...base, outcome: 'rejected', code: 'CRM_DUPLICATE', reason: 'hidden in the trash' };
      const c = this.contacts.get(op.externalId) ?? { id: 100 + Number(op.sourceRecordId), values: {}, groups: [] };
      Object.assign(c.values, op.values);
      c.groups = [...c.groups.filter((g) => !op.removeGroups.includes(g)), ...op.addGroups.map((g) => g.name)];
      this.contacts.set(op.externalId, c);
      return { ...base, outcome: op.mode === 'create' ? 'created' : op.mode === 'link' ? 'linked' : 'updated', contactId: c.id };
    });
  }
}

/** A connector serving `pages` in turn, and by id the records of `byId` (other ids are missing). */
function connectorOf(pages: Page[], byId: SourceRecord[] = []): Connector & { reads: PageRequest[]; idReads: string[][] } {
  const reads: PageRequest[] = [];
  const idReads: string[][] = [];
  return {
    sourceId: 'koha', type: 'koha', reads, idReads,
    streams: new Map([['patrons', {
      read: async (r: PageRequest) => { reads.push(r); return pages[reads.length - 1] ?? { records: [], rejected: [], last: null, hasMore: false }; },
      readIds: async (ids: readonly string[]) => {
        idReads.push([...ids]);
        const found = byId.filter((r) => ids.includes(r.id));
        return { records: found, rejected: [], missing: ids.filter((id) => !found.some((r) => r.id === id)) };
      },
    }]]),
  };
}

const T1 = '2026-01-01T10:00:00.000Z';
const T2 = '2026-01-02T10:00:00.000Z';
const request: PageRequest = { since: null, until: '2026-11-23T00:00:00.000Z', after: null, limit: 4 };
const win = (runId: string, pageNo = 1, req: PageRequest = request): WindowPageJob => ({ runId, sourceId: 'koha', stream: 'patrons', pageNo, phase: 'window', request: req });

describe('page handler', () => {
  let state: ReturnType<typeof createMemoryState>;
  let crm: FakeCrm;
  let enqueued: PageJobData[];
  let clockMs: number;
  const deps = (connector: Connector, m: CompiledMapping = mapping): PipelineDeps => ({
    sources: new Map([['koha', { connector, mapping: m, pageSize: 4, overlapMs: 300_000, streams: [{ name: 'patrons', stream: connector.streams.get('patrons')!, writer: createPatronWriter(m), overlap: 'write' }] }]]),
    crm, state, clock: () => new Date('2026-11-23T00:00:00Z'), logger: nullLogger,
    policy: { leaseTtlMs: 60_000, parkAfterRuns: 3 },
    enqueuePage: async (j) => { enqueued.push(j); },
  });

  beforeEach(() => {
    clockMs = Date.parse('2026-11-23T00:00:00Z');
    state = createMemoryState({ now: () => clockMs });
    crm = new FakeCrm();
    enqueued = [];
  });

  const fullPage: Page = {
    records: [rec(1, T1), rec(2, T1, ''), { ...rec(3, T2), anonymised: true }],
    rejected: [{ sourceId: 'koha', id: '4', reason: 'updated_on: expected a date-time' }],
    last: { updatedAt: T2, id: '4' },
    hasMore: true,
  };

  it('counts every outcome, stores fingerprints and the cursor, then enqueues the next page', async () => {
    const d = deps(connectorOf([fullPage]));
    await state.createRun({ runId: 'r1', mode: 'full', units: ['koha'], startedAt: T1 });
    const { result, next } = await processPage(d, win('r1'));
    expect(result).toMatchObject({ read: 4, created: 1, updated: 0, unchanged: 0, rejected: 2, skipped: 1, withWarnings: 0, warnings: [] });
    expect(result.rejections.map((r) => [r.recordId, r.code])).toEqual([['4', 'RECORD_INVALID'], ['2', 'RECORD_INVALID']]);
    expect(next).toEqual({ ...request, after: { updatedAt: T2, id: '4' } });
    expect(enqueued).toEqual([{ runId: 'r1', sourceId: 'koha', stream: 'patrons', pageNo: 2, phase: 'window', request: next }]);
    expect(await state.getCursor('koha')).toEqual({ updatedAt: T2, lastId: '4' });
    expect((await state.getSent('koha', ['koha:1'])).get('koha:1')).toMatchObject({ groups: ['G'], contactId: 101 });
  });

  const lastPage: Page = { ...fullPage, hasMore: false };

  it('does not write an unchanged record again, and reports it as unchanged', async () => {
    await processPage(deps(connectorOf([lastPage])), win('r1'));
    const again = await processPage(deps(connectorOf([lastPage])), win('r2'));
    expect(again.result).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    expect(crm.calls).toHaveLength(1);
  });

  it('writes a changed record as an update', async () => {
    await processPage(deps(connectorOf([lastPage])), win('r1'));
    const changed: Page = { ...lastPage, records: [rec(1, T2, 'Renamed')] };
    const { result } = await processPage(deps(connectorOf([changed])), win('r2'));
    expect(result).toMatchObject({ updated: 1, unchanged: 0 });
  });

  it('records a CRM refusal with its reason and keeps the other writes', async () => {
    crm.refuse.add('koha:1');
    const page: Page = { records: [rec(1, T1), rec(5, T1)], rejected: [], last: { updatedAt: T1, id: '5' }, hasMore: false };
    const { result } = await processPage(deps(connectorOf([page])), win('r1'));
    expect(result).toMatchObject({ created: 1, rejected: 1 });
    expect(result.rejections).toEqual([{ recordId: '1', code: 'CRM_CONSTRAINT', reason: 'refused' }]);
    expect((await state.getSent('koha', ['koha:1', 'koha:5'])).has('koha:1')).toBe(false);
  });

  it('writes what fits the CRM and reports each field cut or left out, per record, without values', async () => {
    const page: Page = {
      records: [rec(1, T1, 'Abcdefghijkl'), { ...rec(5, T1), data: { patron_id: 5, surname: 'Lee', email: 'bad' } }, rec(6, T1, 'Short')],
      rejected: [], last: { updatedAt: T1, id: '6' }, hasMore: false,
    };
    const { result } = await processPage(deps(connectorOf([page])), win('r1'));
    expect(result).toMatchObject({ created: 3, rejected: 0, withWarnings: 2 });
    expect(result.warnings).toEqual([
      { recordId: '1', field: 'last_name', rule: 'truncated' },
      { recordId: '5', field: 'email_primary.email', rule: 'invalid' },
    ]);
    expect(crm.calls[0]!.map((u) => u.values.last_name)).toEqual(['Abcdefgh', 'Lee', 'Short']);
  });

  it('reads the next page ahead, but writes pages in order: the cursor never passes a page still being written', async () => {
    await state.createRun({ runId: 'r1', mode: 'incremental', units: ['koha'], startedAt: T1 });
    const page = (ids: number[], at: string, hasMore: boolean): Page => ({
      records: ids.map((id) => rec(id, at, `Name${id}`)), rejected: [], last: { updatedAt: at, id: String(ids.at(-1)) }, hasMore,
    });
    const connector = connectorOf([page([1, 2], T1, true), page([3], T2, false)]);
    // Page 1's CRM writes hang until released.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const apply = crm.applyContacts.bind(crm);
    let writes = 0;
    crm.applyContacts = async (ops) => {
      if (writes++ === 0) await gate;
      return apply(ops);
    };
    const first = processPage(deps(connector), win('r1'));
    // Page 2 was enqueued as soon as page 1 was read, and is taken up while page 1 still writes.
    for (let i = 0; i < 50 && enqueued.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(enqueued.map((j) => j.pageNo)).toEqual([2]);
    const second = processPage(deps(connector), enqueued[0]!);
    await new Promise((r) => setTimeout(r, 100));
    expect(await state.getCommittedPage('r1', 'koha', 2)).toBeNull(); // waiting for its turn
    expect(await state.getCursor('koha')).toEqual({ updatedAt: null, lastId: null });
    expect(crm.contacts.has('koha:3')).toBe(false);
    release();
    await Promise.all([first, second]);
    expect(crm.calls.map((ops) => ops.map((o) => o.externalId))).toEqual([['koha:1', 'koha:2'], ['koha:3']]);
    expect(await state.getCursor('koha')).toEqual({ updatedAt: T2, lastId: '3' });
  });

  describe('patron pages beside each other', () => {
    const page = (ids: number[], at: string, hasMore: boolean): Page => ({
      records: ids.map((id) => rec(id, at, `Name${id}`)), rejected: [], last: { updatedAt: at, id: String(ids.at(-1)) }, hasMore,
    });
    const until = async (what: () => boolean | Promise<boolean>) => {
      for (let i = 0; i < 200 && !(await what()); i++) await new Promise((r) => setTimeout(r, 5));
    };

    it('the next page writes once the page before has its contacts in the CRM, and commits after it', async () => {
      await state.createRun({ runId: 'r1', mode: 'incremental', units: ['koha'], startedAt: T1 });
      const connector = connectorOf([page([1, 2], T1, true), page([3], T2, false)]);
      // Page 1's contacts are saved; its memberships hang until released.
      let release!: () => void;
      crm.memberships = new Promise<void>((r) => (release = r));
      const first = processPage(deps(connector), win('r1'));
      await until(() => enqueued.length > 0);
      const second = processPage(deps(connector), enqueued[0]!);
      await until(() => crm.contacts.has('koha:3'));
      expect(crm.contacts.has('koha:3')).toBe(true); // page 2 wrote while page 1 was still writing
      await new Promise((r) => setTimeout(r, 50));
      expect(await state.getCommittedPage('r1', 'koha', 1)).toBeNull();
      expect(await state.getCommittedPage('r1', 'koha', 2)).toBeNull(); // it waits for page 1 to commit
      expect(await state.getCursor('koha')).toEqual({ updatedAt: null, lastId: null });
      release();
      await Promise.all([first, second]);
      expect(await state.getCursor('koha')).toEqual({ updatedAt: T2, lastId: '3' });
      expect(await state.getSent('koha', ['koha:1', 'koha:3'])).toEqual(new Map([
        ['koha:1', expect.objectContaining({ contactId: 101 })], ['koha:3', expect.objectContaining({ contactId: 103 })],
      ]));
    });

    it('a patron on both pages (changed during the run) is written by the second only after the first committed', async () => {
      await state.createRun({ runId: 'r1', mode: 'incremental', units: ['koha'], startedAt: T1 });
      const connector = connectorOf([page([1, 2], T1, true), { records: [rec(1, T2, 'Renamed')], rejected: [], last: { updatedAt: T2, id: '1' }, hasMore: false }]);
      let release!: () => void;
      crm.memberships = new Promise<void>((r) => (release = r));
      const first = processPage(deps(connector), win('r1'));
      await until(() => enqueued.length > 0);
      const second = processPage(deps(connector), enqueued[0]!);
      await new Promise((r) => setTimeout(r, 100));
      expect(crm.calls).toHaveLength(1); // page 2 has not written koha:1 beside page 1
      crm.memberships = null;
      release();
      await Promise.all([first, second]);
      // written in order, the second time as an update of what page 1 wrote
      expect(crm.calls.map((ops) => ops.map((o) => `${o.externalId} ${o.mode} ${String(o.values.last_name)}`))).toEqual([['koha:1 create Name1', 'koha:2 create Name2'], ['koha:1 update Renamed']]);
      // the state kept is the second page's (it committed last)
      expect((await state.getSent('koha', ['koha:1'])).get('koha:1')?.fields).toMatchObject({ last_name: { w: 'Renamed' } });
      expect(crm.contacts.get('koha:1')!.values.last_name).toBe('Renamed');
    });

    it('a page that takes a contact out of the sync lets the next page begin only once that is written too', async () => {
      await state.createRun({ runId: 'r1', mode: 'incremental', units: ['koha'], startedAt: T1 });
      await state.acquireLease('koha', 'r0', 60_000);
      // patron 1 was written before (contact 101); the library has anonymised it since (on_anonymised: erase)
      await state.commitPage({
        runId: 'r0', sourceId: 'koha', unit: 'koha', stream: 'patrons', pageNo: 1, result: emptyPageResult(), cursor: null, next: null, retryNext: false,
        sent: new Map([['koha:1', { contactId: 101, fields: {}, groups: [], at: T1 }]]), failed: [], cleared: [], parkAfterRuns: 3, conflicts: [], applied: [], at: T1,
      });
      await state.releaseLease('koha', 'r0');
      crm.contacts.set('koha:1', { id: 101, values: { last_name: 'Name1' }, groups: [] });
      const withholding: CompiledMapping = { ...mapping, transform: (r) => (r.anonymised ? { kind: 'skip', reason: 'anonymised', withheld: 'anonymised' } : mapping.transform(r)) };
      const connector = connectorOf([{ records: [{ ...rec(1, T1), anonymised: true }, rec(2, T1)], rejected: [], last: { updatedAt: T1, id: '2' }, hasMore: true }]);
      let release!: () => void;
      crm.memberships = new Promise<void>((r) => (release = r));
      const first = processPage(deps(connector, withholding), win('r1'));
      await until(() => crm.calls.length > 0);
      // patron 2's contact is saved, contact 101 not yet erased: the next page may not begin
      expect(crm.calls.map((ops) => ops.map((o) => o.externalId))).toEqual([['koha:2']]);
      expect(await state.writeTurn('r1', 'koha', 2)).toBe('wait');
      crm.memberships = null;
      release();
      await first;
      expect(crm.calls.map((ops) => ops.map((o) => `${o.externalId} ${o.contactId ?? ''}`))).toEqual([['koha:2 '], ['koha:1 101']]);
      expect(await state.writeTurn('r1', 'koha', 2)).toBe('go');
    });

    it('a page that would write a contact the page before still writes waits for it to commit, then decides again', async () => {
      await state.createRun({ runId: 'r1', mode: 'incremental', units: ['koha'], startedAt: T1 });
      const connector = connectorOf([page([1, 2], T1, true), page([5], T2, false)]);
      let release!: () => void;
      crm.memberships = new Promise<void>((r) => (release = r));
      const first = processPage(deps(connector), win('r1'));
      await until(() => crm.contacts.has('koha:1'));
      // A CRM user linked patron 5 to patron 1's contact: both pages would write contact 101.
      crm.contacts.set('koha:5', crm.contacts.get('koha:1')!);
      const reads = crm.readContacts.bind(crm);
      let snapshots = 0;
      crm.readContacts = async (req) => {
        if (req.desired.some((d) => d.externalId === 'koha:5')) snapshots += 1;
        return reads(req);
      };
      await until(() => enqueued.length > 0);
      const second = processPage(deps(connector), enqueued[0]!);
      await until(() => snapshots > 0);
      await new Promise((r) => setTimeout(r, 100));
      expect(crm.calls).toHaveLength(1); // page 2 read, found the shared contact, and waits
      crm.memberships = null;
      release();
      await Promise.all([first, second]);
      expect(snapshots).toBe(2); // read again once page 1 had committed
      expect(crm.calls.map((ops) => ops.map((o) => `${o.externalId} ${o.mode} ${o.contactId ?? ''}`))).toEqual([['koha:1 create ', 'koha:2 create '], ['koha:5 update 101']]);
      expect(await state.getCursor('koha')).toEqual({ updatedAt: T2, lastId: '5' });
    });
  });

  it('a page read again stops where the next page, already enqueued, begins (records that changed since the run started left the window)', async () => {
    await state.createRun({ runId: 'r1', mode: 'incremental', units: ['koha'], startedAt: T1 });
    await state.acquireLease('koha', 'r1', 60_000);
    // The first attempt of page 1 read 1, 2 and enqueued page 2 after 2; patron 2 changed since: read again, page 1 reaches 3.
    const page2 = { ...request, after: { updatedAt: T1, id: '2' } };
    const connector = connectorOf([{ records: [rec(1, T1), rec(3, T2)], rejected: [], last: { updatedAt: T2, id: '3' }, hasMore: true }]);
    const d: PipelineDeps = { ...deps(connector), enqueuedRequest: async (j) => (j.pageNo === 2 ? page2 : null) };
    const { result, next } = await processPage(d, win('r1'));
    expect(crm.calls.map((ops) => ops.map((o) => o.externalId))).toEqual([['koha:1']]); // koha:3 is page 2's
    expect(result).toMatchObject({ created: 1 });
    expect(next).toEqual(page2);
    expect(await state.getCursor('koha')).toEqual({ updatedAt: T1, lastId: '2' });
  });

  it('a stream with pages of its own (loans in parts, engagement in due order) keeps a page read again as read', async () => {
    await state.createRun({ runId: 'r1', mode: 'incremental', units: ['koha'], startedAt: T1 });
    const connector = connectorOf([{ records: [rec(1, T1), rec(3, T2)], rejected: [], last: { updatedAt: T2, id: '3' }, hasMore: true }]);
    const base = deps(connector);
    const binding = base.sources.get('koha')!;
    const own = { ...binding.streams[0]!, overlap: 'commit' as const, stream: { ...binding.streams[0]!.stream, next: (r: PageRequest, p: Page) => (p.hasMore && p.last ? { ...r, after: p.last } : null) } };
    const d: PipelineDeps = { ...base, sources: new Map([['koha', { ...binding, streams: [own] }]]), enqueuedRequest: async (j) => (j.pageNo === 2 ? { ...request, after: { updatedAt: T1, id: '2' } } : null) };
    await processPage(d, win('r1'));
    expect(crm.calls.map((ops) => ops.map((o) => o.externalId))).toEqual([['koha:1', 'koha:3']]);
  });

  it('a page of a stream that has ended does not take the source\'s lease again (the next run would be refused)', async () => {
    await state.createRun({ runId: 'r1', mode: 'incremental', units: ['koha'], startedAt: T1 });
    await state.finishSource('r1', 'koha', { status: 'failed', error: 'page 1: boom', at: T2 });
    const connector = connectorOf([{ records: [rec(3, T2)], rejected: [], last: { updatedAt: T2, id: '3' }, hasMore: false }]);
    const { result } = await processPage(deps(connector), win('r1', 2));
    expect(result.read).toBe(0);
    expect(connector.reads).toEqual([]);
    expect(await state.leaseHolder('koha')).toBeNull();
  });

  it('a page writing beside one that fails for good stops renewing the lease once its stream has ended', async () => {
    await state.createRun({ runId: 'r1', mode: 'incremental', units: ['koha'], startedAt: T1 });
    const connector = connectorOf([{ records: [rec(3, T2)], rejected: [], last: { updatedAt: T2, id: '3' }, hasMore: false }]);
    let release!: () => void;
    crm.memberships = new Promise<void>((r) => (release = r));
    // Page 1 has its contacts in the CRM: page 2 writes beside it. Leases of 3 s: the heartbeat renews every second.
    await state.markWritten('r1', 'koha', 1, { keys: ['koha:1'], contacts: [101] });
    const d: PipelineDeps = { ...deps(connector), policy: { leaseTtlMs: 3_000, parkAfterRuns: 3 } };
    const writing = processPage(d, win('r1', 2));
    try {
      for (let i = 0; i < 100 && crm.calls.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
      expect(crm.calls).toHaveLength(1);
      // meanwhile page 1 failed for good: the stream ends and the lease is given back
      await state.finishSource('r1', 'koha', { status: 'failed', error: 'page 1: boom', at: T2 });
      expect(await state.leaseHolder('koha')).toBeNull();
      await new Promise((r) => setTimeout(r, 1_300));
      expect(await state.leaseHolder('koha')).toBeNull();
    } finally {
      release();
    }
    expect((await writing).result.read).toBe(0); // dropped: its turn to commit never comes
    expect(await state.getCommittedPage('r1', 'koha', 2)).toBeNull();
    expect(await state.leaseHolder('koha')).toBeNull();
  });

  it('a page waiting for its turn gives its slot up at once when the page before waits in the queue (after a crash), and writes nothing', async () => {
    await state.createRun({ runId: 'r1', mode: 'incremental', units: ['koha'], startedAt: T1 });
    const connector = connectorOf([{ records: [rec(3, T2, 'Name3')], rejected: [], last: { updatedAt: T2, id: '3' }, hasMore: false }]);
    const asked: number[] = [];
    // Page 1 sits in the queue behind page 2 (nobody works on it): page 2 must not hold the slot for a minute.
    const started = Date.now();
    const second = processPage({ ...deps(connector), pageQueued: async (j) => { asked.push(j.pageNo); return j.pageNo === 1; } }, win('r1', 2));
    await expect(second).rejects.toBeInstanceOf(NotYourTurnError);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(asked).toContain(1);
    expect(crm.calls).toEqual([]);
    expect(await state.getCommittedPage('r1', 'koha', 2)).toBeNull();
  });

  it('pages written side by side (overlap: commit) still commit in order: the cursor never passes a page still being written', async () => {
    await state.createRun({ runId: 'r1', mode: 'incremental', units: ['koha'], startedAt: T1 });
    const page = (ids: number[], at: string, hasMore: boolean): Page => ({
      records: ids.map((id) => rec(id, at, `Name${id}`)), rejected: [], last: { updatedAt: at, id: String(ids.at(-1)) }, hasMore,
    });
    const connector = connectorOf([page([1, 2], T1, true), page([3], T2, false)]);
    const base = deps(connector);
    const d: PipelineDeps = { ...base, sources: new Map([['koha', { ...base.sources.get('koha')!, streams: [{ ...base.sources.get('koha')!.streams[0]!, overlap: 'commit' }] }]]) };
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const apply = crm.applyContacts.bind(crm);
    crm.applyContacts = async (ops) => {
      if (ops.some((o) => o.externalId === 'koha:1')) await gate; // page 1 is slow
      return apply(ops);
    };
    const first = processPage(d, win('r1'));
    for (let i = 0; i < 50 && enqueued.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    const second = processPage(d, enqueued[0]!);
    for (let i = 0; i < 50 && !crm.contacts.has('koha:3'); i++) await new Promise((r) => setTimeout(r, 5));
    expect(crm.contacts.has('koha:3')).toBe(true); // page 2 wrote while page 1 was still writing
    await new Promise((r) => setTimeout(r, 50));
    expect(await state.getCommittedPage('r1', 'koha', 2)).toBeNull(); // but waits to commit
    expect(await state.getCursor('koha')).toEqual({ updatedAt: null, lastId: null });
    release();
    await Promise.all([first, second]);
    expect(await state.getCursor('koha')).toEqual({ updatedAt: T2, lastId: '3' });
  });

  it('sums warnings per field and rule in the source report', async () => {
    await state.createRun({ runId: 'r1', mode: 'full', units: ['koha'], startedAt: T1 });
    const page = (ids: number[], hasMore: boolean): Page => ({
      records: ids.map((id) => rec(id, T1, `Longsurname${id}`)), rejected: [], last: { updatedAt: T1, id: String(ids.at(-1)) }, hasMore,
    });
    const connector = connectorOf([page([1, 2], true), page([3], false)]);
    await processPage(deps(connector), win('r1'));
    await processPage(deps(connector), enqueued[0]!);
    const src = (await state.getRun('r1'))!.sources[0]!;
    expect(src).toMatchObject({ created: 3, withWarnings: 3, warningCounts: [{ field: 'last_name', rule: 'truncated', count: 3 }] });
    expect(src.warnings.map((w) => w.recordId)).toEqual(['1', '2', '3']);
  });

  it('does not send a truncated value again, and sends a later fix in the source', async () => {
    const once = (name: string, runId: string) => processPage(deps(connectorOf([{ records: [rec(1, T1, name)], rejected: [], last: { updatedAt: T1, id: '1' }, hasMore: false }])),
      win(runId));
    expect((await once('Abcdefghijkl', 'r1')).result).toMatchObject({ created: 1, withWarnings: 1 });
    // Unchanged: what was sent (the first 8 characters) is what would be sent again.
    expect((await once('Abcdefghijkl', 'r2')).result).toMatchObject({ unchanged: 1, updated: 0, withWarnings: 0, warnings: [] });
    expect((await once('Abcdefghxyz', 'r3')).result).toMatchObject({ unchanged: 1, updated: 0 });
    expect((await once('Abcdef', 'r4')).result).toMatchObject({ updated: 1, withWarnings: 0 });
    expect(crm.calls.map((b) => b[0]!.values.last_name)).toEqual(['Abcdefgh', 'Abcdef']);
  });

  it('rejects a record the CRM cannot take at all (a field it does not know) before writing, and writes the others', async () => {
    const strict: CompiledMapping = { ...mapping, transform: (r) => {
      const t = mapping.transform(r);
      return t.kind === 'contact' && r.id === '1' ? { ...t, contact: { ...t.contact, values: { ...t.contact.values, no_such_field: 'x' } } } : t;
    } };
    const page: Page = { records: [rec(1, T1), rec(5, T1)], rejected: [], last: { updatedAt: T1, id: '5' }, hasMore: false };
    const { result } = await processPage(deps(connectorOf([page]), strict), win('r1'));
    expect(result).toMatchObject({ created: 1, rejected: 1 });
    expect(result.rejections).toEqual([{ recordId: '1', code: 'VALUE_INVALID', reason: expect.stringContaining('no_such_field is not a writable CiviCRM Contact field') }]);
    expect(crm.calls[0]!.map((u) => u.externalId)).toEqual(['koha:5']);
  });

  it('leaves cursor and counts untouched when the CRM is unreachable', async () => {
    crm.failWith = new BridgeError('NETWORK', 'network error (ECONNREFUSED)');
    await expect(processPage(deps(connectorOf([fullPage])), win('r1'))).rejects.toThrow('ECONNREFUSED');
    expect(await state.getCursor('koha')).toEqual({ updatedAt: null, lastId: null });
    expect(await state.getCommittedPage('r1', 'koha', 1)).toBeNull();
    // Only the next page, read ahead: it waits for this one, which is retried (and never written out of turn).
    expect(enqueued.map((e) => [e.pageNo, e.phase])).toEqual([[2, 'window']]);
  });

  it('a retried job of a committed page does not read or write again, but still follows up', async () => {
    const connector = connectorOf([fullPage]);
    await processPage(deps(connector), win('r1'));
    await processPage(deps(connector), win('r1'));
    expect(connector.reads).toHaveLength(1);
    expect(crm.calls).toHaveLength(1);
    expect(enqueued.map((j) => j.pageNo)).toEqual([2, 2]);
  });

  it('finishes the source and the run after the last page', async () => {
    const d = deps(connectorOf([{ ...fullPage, hasMore: false }]));
    await startRun(d, { runId: 'r1', mode: 'incremental', sourceIds: ['koha'] });
    expect(enqueued[0]).toMatchObject({ pageNo: 1, request: { since: null, after: null, limit: 4 } });
    await processPage(d, enqueued[0]!);
    const report = await state.getRun('r1');
    expect(report).toMatchObject({ status: 'done', sources: [{ sourceId: 'koha', status: 'done', pages: 1, created: 1, rejected: 2, durationMs: 0 }] });
  });

  it('starts an incremental run the overlap before the saved cursor', async () => {
    state.cursors.set('koha', { updatedAt: T2, lastId: '9' });
    await startRun(deps(connectorOf([])), { runId: 'r1', mode: 'incremental', sourceIds: ['koha'] });
    expect((enqueued[0] as WindowPageJob).request.since).toBe('2026-01-02T09:55:00.000Z');
  });

  describe('one run per source', () => {
    it('a second run is refused while the first holds the source, with a message naming the holder', async () => {
      const d = deps(connectorOf([fullPage]));
      await startRun(d, { runId: 'r1', mode: 'full', sourceIds: ['koha'] });
      await startRun(d, { runId: 'r2', mode: 'full', sourceIds: ['koha'] });
      expect(enqueued.map((j) => j.runId)).toEqual(['r1']);
      const r2 = await state.getRun('r2');
      expect(r2?.status).toBe('failed');
      expect(r2?.sources[0]?.error).toContain('being synced by run r1');
      expect((await state.getRun('r1'))?.status).toBe('running');
    });

    it('a run that lost its lease to another commits nothing, and the cursor stays with the newer run', async () => {
      const d = deps(connectorOf([fullPage, { ...fullPage, records: [rec(7, T1)], last: { updatedAt: T1, id: '7' } }]));
      await startRun(d, { runId: 'r1', mode: 'full', sourceIds: ['koha'] });
      clockMs += 61_000; // r1's worker stalls past its lease
      await startRun(d, { runId: 'r2', mode: 'full', sourceIds: ['koha'] });
      await processPage(d, enqueued.find((j) => j.runId === 'r2')!);
      const cursorOfR2 = await state.getCursor('koha');
      await expect(processPage(d, win('r1'))).rejects.toMatchObject({ code: 'RUN_CONFLICT' });
      expect(await state.getCommittedPage('r1', 'koha', 1)).toBeNull();
      expect(await state.getCursor('koha')).toEqual(cursorOfR2);
    });

    it('the cursor never moves backwards, whatever page commits last', async () => {
      const d = deps(connectorOf([{ ...lastPage, last: { updatedAt: T2, id: '4' } }, { ...lastPage, records: [rec(1, T1)], last: { updatedAt: T1, id: '1' } }]));
      await processPage(d, win('r1'));
      await processPage(d, win('r2'));
      expect(await state.getCursor('koha')).toEqual({ updatedAt: T2, lastId: '4' });
    });
  });

  it('checks the streams side by side, but gives the first refusal in stream order, not a later stream\'s error', async () => {
    crm.missing = ['last_name'];
    const base = deps(connectorOf([fullPage]));
    const binding = base.sources.get('koha')!;
    const failing = { ...binding.streams[0]!, name: 'other', writer: { ...binding.streams[0]!.writer, preflight: async () => { throw new BridgeError('NETWORK', 'network error (ECONNRESET)', { transient: true }); } } };
    const d: PipelineDeps = { ...base, sources: new Map([['koha', { ...binding, streams: [binding.streams[0]!, failing] }]]) };
    await startRun(d, { runId: 'r1', mode: 'incremental', sourceIds: ['koha'] });
    expect((await state.getRun('r1'))?.sources[0]?.error).toMatch(/"last_name".*crm bootstrap/);
  });

  describe('the CRM lacks a mapped field', () => {
    it('fails the source before any read, naming the field and crm bootstrap; nothing moves', async () => {
      crm.missing = ['last_name'];
      const connector = connectorOf([fullPage]);
      await startRun(deps(connector), { runId: 'r1', mode: 'incremental', sourceIds: ['koha'] });
      expect(enqueued).toEqual([]);
      expect(connector.reads).toEqual([]);
      const report = await state.getRun('r1');
      expect(report?.status).toBe('failed');
      expect(report?.sources[0]?.error).toMatch(/"last_name".*test\.yaml.*crm bootstrap/);
      expect(await state.getCursor('koha')).toEqual({ updatedAt: null, lastId: null });
      expect(await state.leaseHolder('koha')).toBeNull();
    });
  });

  describe('kept failures', () => {
    const refusedPage: Page = { records: [rec(1, T1), rec(5, T1)], rejected: [], last: { updatedAt: T1, id: '5' }, hasMore: false };
    const empty: Page = { records: [], rejected: [], last: null, hasMore: false };

    /** Runs one incremental run to its end through startRun and every enqueued page. */
    async function runToEnd(d: PipelineDeps, runId: string, mode: 'incremental' | 'replay' = 'incremental', recordIds?: string[]) {
      const from = enqueued.length;
      await startRun(d, { runId, mode, sourceIds: ['koha'], ...(recordIds ? { recordIds } : {}) });
      for (let i = from; i < enqueued.length; i++) await processPage(d, enqueued[i]!);
      return (await state.getRun(runId))!;
    }

    it('a refused record is kept with its reason, retried by id by the next run, and cleared once written', async () => {
      crm.refuse.add('koha:1');
      const connector = connectorOf([refusedPage, empty], [rec(1, T1)]);
      const d = deps(connector);
      await runToEnd(d, 'r1');
      expect(await state.listFailures('koha')).toEqual([
        expect.objectContaining({ recordId: '1', stream: 'patrons', code: 'CRM_CONSTRAINT', reason: 'refused', attempts: 1, runs: 1, parked: false, lastRunId: 'r1' }),
      ]);
      crm.refuse.clear();
      const r2 = await runToEnd(d, 'r2');
      expect(connector.idReads).toEqual([['1']]);
      expect(r2.sources[0]).toMatchObject({ status: 'done', retried: 1, created: 1, rejected: 0, failures: { open: 0, parked: 0 } });
      expect(await state.listFailures('koha')).toEqual([]);
    });

    it('a record that keeps failing is parked after park_after_runs runs, then only a replay tries it', async () => {
      crm.refuse.add('koha:1');
      const connector = connectorOf([refusedPage], [rec(1, T1)]);
      const d = deps(connector);
      await runToEnd(d, 'r1');
      await runToEnd(d, 'r2');
      const r3 = await runToEnd(d, 'r3');
      expect(r3.sources[0]?.failures).toEqual({ open: 0, parked: 1 });
      expect((await state.listFailures('koha'))[0]).toMatchObject({ runs: 3, attempts: 3, parked: true });
      await runToEnd(d, 'r4');
      expect(connector.idReads).toHaveLength(2); // r2 and r3; r4 leaves the parked record alone
      crm.refuse.clear();
      const replay = await runToEnd(d, 'r5', 'replay', ['1']);
      expect(replay.sources[0]).toMatchObject({ status: 'done', retried: 1, created: 1 });
      expect(await state.listFailures('koha')).toEqual([]);
    });

    it('a kept failure the source no longer has is dropped', async () => {
      crm.refuse.add('koha:1');
      const connector = connectorOf([refusedPage], []);
      const d = deps(connector);
      await runToEnd(d, 'r1');
      const r2 = await runToEnd(d, 'r2');
      expect(r2.sources[0]).toMatchObject({ retried: 1, read: 0, failures: { open: 0, parked: 0 } });
      expect(await state.listFailures('koha')).toEqual([]);
    });
  });

  describe('resuming a crashed run', () => {
    it('enqueues the page after the last committed one, under the same run', async () => {
      const d = deps(connectorOf([fullPage]));
      await startRun(d, { runId: 'r1', mode: 'full', sourceIds: ['koha'] });
      await processPage(d, enqueued[0]!);
      enqueued = [];
      expect((await state.getRun('r1'))?.interrupted).toBeUndefined();
      clockMs += 120_000; // the process died; its lease lapsed
      expect(await state.getRun('r1')).toMatchObject({ status: 'running', interrupted: true });
      expect(await resumeRun(d, 'r1')).toEqual({ resumed: true, committedPages: 1 });
      expect((await state.getRun('r1'))?.interrupted).toBeUndefined();
      expect(enqueued).toEqual([win('r1', 2, { ...request, after: { updatedAt: T2, id: '4' } })]);
      expect(await state.leaseHolder('koha')).toBe('r1');
    });

    it('enqueues the first page again when nothing was committed, and leaves a finished run alone', async () => {
      const d = deps(connectorOf([lastPage]));
      await startRun(d, { runId: 'r1', mode: 'full', sourceIds: ['koha'] });
      const first = enqueued[0]!;
      enqueued = [];
      await resumeRun(d, 'r1');
      expect(enqueued).toEqual([first]);
      await processPage(d, first);
      expect(await resumeRun(d, 'r1')).toEqual({ resumed: false, why: 'run r1 has finished (done)' });
    });
  });

  describe('a CRM people use', () => {
    const one: Page = { records: [rec(1, T1, 'Lovelace')], rejected: [], last: { updatedAt: T1, id: '1' }, hasMore: false };

    it('a key held by a contact hidden in the trash is a conflict held for a person, not a crash and not a second contact', async () => {
      crm.trashed.add('koha:1');
      const { result } = await processPage(deps(connectorOf([one])), win('r1'));
      expect(result).toMatchObject({ created: 0, rejected: 0, held: 1, conflicts: 1 });
      expect(await state.listConflicts('koha')).toEqual([expect.objectContaining({ kind: 'trashed', recordId: '1', status: 'open', decision: 'review' })]);
      expect((await state.listFailures('koha'))[0]).toMatchObject({ recordId: '1', code: 'CONFLICT' });
    });

    it('a CRM user\'s edit of a field the source did not change is kept (logged once); a source change of it is written (policy source) and logged', async () => {
      await processPage(deps(connectorOf([one])), win('r1'));
      crm.contacts.get('koha:1')!.values.last_name = 'Byron'; // a CRM user's edit
      const again = await processPage(deps(connectorOf([one])), win('r2'));
      expect(again.result).toMatchObject({ updated: 0, unchanged: 1, conflicts: 1 }); // logged once, decided crm
      const quiet = await processPage(deps(connectorOf([one])), win('r2b'));
      expect(quiet.result).toMatchObject({ updated: 0, unchanged: 1, conflicts: 0 });
      const changed = await processPage(deps(connectorOf([{ ...one, records: [rec(1, T2, 'King')] }])), win('r3'));
      expect(changed.result).toMatchObject({ updated: 1, conflicts: 1 });
      expect(crm.contacts.get('koha:1')!.values.last_name).toBe('King');
      expect(await state.listConflicts('koha', { status: 'decided' })).toEqual([
        expect.objectContaining({ kind: 'field', field: 'last_name', lastWritten: 'Lovelace', crm: 'Byron', source: 'King', decision: 'source' }),
      ]); // one entry per disagreement: the later decision replaced the first
    });
  });
});
