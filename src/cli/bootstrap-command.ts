/**
 * `patron-bridge crm bootstrap`: create what every configured mapping needs in CiviCRM (custom
 * fields, activity types, the "Library system" contact), only where missing; says what it created.
 */
import { bootstrapCrm, createCiviClient, missingAccess } from '../../connectors/civicrm/index.js';
import { loadSources } from '../app.js';
import { BridgeError } from '../core/errors.js';
import { crmNeedsOf } from './crm-setup.js';
import { EXIT, withConfig, type CommonOptions } from './run-cli.js';

export interface BootstrapOptions extends CommonOptions {
  apiKeyEnv: string;
}

export async function bootstrapCommand(opts: BootstrapOptions): Promise<number> {
  return withConfig(opts, async (loaded, logger) => {
    const adminKey = process.env[opts.apiKeyEnv];
    if (!adminKey) {
      throw new BridgeError('CONFIG_INVALID', `environment variable ${opts.apiKeyEnv} is not set: it must hold the API key of a CiviCRM user with "administer CiviCRM data"`);
    }
    const sources = await loadSources(loaded, logger);
    const client = createCiviClient({ ...loaded.config.crm, api_key: adminKey }, { logger });
    const needs = crmNeedsOf([...sources.values()].map((s) => s.mapping), loaded.config.crm);
    const items = await bootstrapCrm(client, needs);
    const created = items.filter((i) => i.created);
    for (const i of created) process.stdout.write(`created ${i.kind} ${i.name}\n`);
    process.stdout.write(created.length
      ? `CiviCRM ready: ${created.length} item(s) created, ${items.length - created.length} already there\n`
      : `CiviCRM ready: nothing to create, all ${items.length} item(s) already there\n`);
    // The sync key is asked itself what it may do: a missing permission is named now, not in the night's run.
    const refused = await missingAccess(createCiviClient(loaded.config.crm, { logger }), needs.access);
    for (const n of refused) process.stdout.write(`the sync key (crm.api_key) may not ${n.action} ${n.entity} records, needed ${n.why}: grant its CiviCRM user the permission "${n.permission}"\n`);
    return refused.length ? EXIT.attention : EXIT.ok;
  });
}
