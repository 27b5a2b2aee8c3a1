/** A sync over OAuth2 client credentials: the token is fetched once, and renewed when Koha expires it. */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startSyncHarness, type SyncHarness } from './sync-harness.js';

let harness: SyncHarness;

beforeAll(async () => {
  harness = await startSyncHarness({ patrons: 300, seed: 3, auth: 'oauth2', pageSize: 50 });
});
afterAll(async () => harness?.stop());

it('syncs over OAuth2 with one token request, and renews an expired token without failing the run', async () => {
  const first = await harness.sync('full');
  expect(first.status).toBe('done');
  expect(first.sources[0]!.read).toBe(300);
  expect(harness.env.koha.stats.byRoute['POST /oauth/token']).toBe(1);

  harness.env.koha.expireTokens();
  const rejected = new Set(first.sources[0]!.rejections.map((r) => r.recordId));
  const written = harness.env.dataset.patrons.find((p) => !p.anonymized && !rejected.has(String(p.patron_id)) && p.surname)!;
  harness.env.koha.updatePatron(written.patron_id, { city: 'Tokenville' });
  const second = await harness.sync('incremental');
  expect(second.status).toBe('done');
  // The first run's rejected patrons are kept and tried again (by id); unchanged, they fail again.
  const kept = first.sources[0]!.rejected;
  expect(kept).toBeGreaterThan(0);
  expect(second.sources[0]).toMatchObject({ updated: 1, created: 0, retried: kept, rejected: kept });
  expect(harness.env.koha.stats.byRoute['POST /oauth/token']).toBe(2);
});
