/**
 * Conflicts that wait for a person, seen where CRM users work: with crm.conflict_activities, a field
 * held for review (on_conflict: review) is a "Sync conflict" activity on the contact, from the
 * "Library system" contact that `crm bootstrap` creates; answering it writes the field and completes
 * the activity.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bootstrapCrm, createCiviClient, SYSTEM_CONTACT_KEY } from '../../connectors/civicrm/index.js';
import { crmNeedsOf } from '../../src/cli/crm-setup.js';
import { nullLogger } from '../../src/core/logger.js';
import { bundledMapping } from '../../src/core/paths.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/environment.js';
import { startSyncHarness, type SyncHarness } from './sync-harness.js';

let harness: SyncHarness;

beforeAll(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pb-activities-'));
  const mapping = path.join(dir, 'mapping.yaml');
  const text = await readFile(bundledMapping(), 'utf8');
  await writeFile(mapping, text.replace('    required: true                      # a contact without a surname', '    on_conflict: review\n    required: true                      # a contact without a surname'));
  harness = await startSyncHarness({ patrons: 120, seed: 12, mapping, crm: { conflictActivities: true } });
  const admin = createCiviClient({ ...harness.loaded.config.crm, api_key: SANDBOX_CREDENTIALS.civicrm.admin }, { logger: nullLogger });
  // The harness bootstrapped the activity type and the Library system contact already: again is harmless.
  await bootstrapCrm(admin, crmNeedsOf([harness.app.deps.sources.get('koha')!.mapping], harness.loaded.config.crm));
  await harness.sync('full');
}, 60_000);
afterAll(async () => harness?.stop());

it('a field held for review is a Sync conflict activity on the contact; the answer writes it and completes the activity', async () => {
  const { env, app } = harness;
  const system = env.civi.rows('Contact').filter((c) => c.external_identifier === SYSTEM_CONTACT_KEY);
  expect(system).toMatchObject([{ contact_type: 'Organization', organization_name: 'Library system' }]);
  const patron = env.dataset.patrons.find((p) => env.civi.rows('Contact').some((c) => c.external_identifier === `koha:${p.patron_id}`))!;
  const contact = env.civi.rows('Contact').find((c) => c.external_identifier === `koha:${patron.patron_id}`)!;
  env.civi.editContact(Number(contact.id), { last_name: 'Edited-In-Crm' });
  env.koha.updatePatron(patron.patron_id, { surname: 'Changed-In-Koha' });

  const held = (await harness.sync('incremental')).sources[0]!;
  expect(held).toMatchObject({ held: 1 });
  const conflict = (await app.state.listConflicts('koha', { status: 'open' })).find((c) => c.recordId === String(patron.patron_id))!;
  expect(conflict).toMatchObject({ kind: 'field', field: 'last_name', decision: 'review', crm: 'Edited-In-Crm', source: 'Changed-In-Koha' });
  expect(env.civi.rows('Contact').find((c) => c.id === contact.id)?.last_name).toBe('Edited-In-Crm');
  const activities = () => env.civi.rows('Activity').filter((a) => String(a.subject).startsWith(`Sync conflict ${conflict.id}:`));
  expect(activities()).toHaveLength(1);
  const activity = activities()[0]!;
  expect(String(activity.subject)).toBe(`Sync conflict ${conflict.id}: last_name`);
  // No values in what CRM users see beyond what the CRM holds anyway: the reason names the field only.
  expect(String(activity.details)).not.toContain('Changed-In-Koha');
  const links = env.civi.rows('ActivityContact').filter((l) => l.activity_id === activity.id);
  expect(links.map((l) => [l.contact_id, l.record_type_id]).sort()).toEqual([[contact.id, 3], [system[0]!.id, 2]].sort());

  // Seen again by the next run: still one activity.
  await harness.sync('incremental');
  expect(activities()).toHaveLength(1);

  await app.state.resolveConflict('koha', conflict.id, { take: 'source' }, new Date().toISOString());
  const applied = (await harness.sync('incremental')).sources[0]!;
  expect(applied).toMatchObject({ updated: 1, held: 0 });
  expect(env.civi.rows('Contact').find((c) => c.id === contact.id)?.last_name).toBe('Changed-In-Koha');
  const statuses = env.civi.rows('OptionValue').filter((o) => o.option_group_id === env.civi.rows('OptionGroup').find((g) => g.name === 'activity_status')?.id);
  const completed = statuses.find((o) => o.name === 'Completed')!.value;
  expect(String(activities()[0]!.status_id)).toBe(String(completed));
});
