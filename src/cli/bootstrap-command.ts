/** `patron-bridge crm bootstrap`: create the custom groups/fields every configured mapping writes. */
import { bootstrapConflictActivities, bootstrapCustomFields, createCiviClient } from '../../connectors/civicrm/index.js';
import { loadSources } from '../app.js';
import { BridgeError } from '../core/errors.js';
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
    const groups = [...new Map([...sources.values()].flatMap((s) => s.mapping.customGroups.map((g) => [g.name, g] as const))).values()];
    const client = createCiviClient({ ...loaded.config.crm, api_key: adminKey }, { logger });
    const summary = await bootstrapCustomFields(client, groups);
    if (loaded.config.crm.conflict_activities) {
      await bootstrapConflictActivities(client);
      process.stdout.write('CiviCRM ready for conflict activities: activity type "Sync conflict" and the "Library system" contact\n');
    }
    process.stdout.write(`CiviCRM ready: ${summary.groups} custom group(s), ${summary.fields} custom field(s) created or updated\n`);
    return EXIT.ok;
  });
}
