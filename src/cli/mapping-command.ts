/**
 * `patron-bridge mapping validate [file]`: compile mapping files; when the CRM is reachable, also
 * check that every target field exists there (getFields), since real CiviCRM ignores unknown fields.
 */
import { existsSync } from 'node:fs';
import { createCiviCrmSink } from '../../connectors/civicrm/index.js';
import { loadSources } from '../app.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { describeError } from '../core/errors.js';
import { nullLogger } from '../core/logger.js';
import { loadMapping } from '../mapping/index.js';
import type { CompiledMapping } from '../mapping/types.js';
import { EXIT, type CommonOptions } from './run-cli.js';

export interface MappingValidateOptions extends CommonOptions {
  source: string;
  offline?: boolean;
}

export async function mappingValidateCommand(file: string | undefined, opts: MappingValidateOptions): Promise<number> {
  // The config is optional when a file is named: it only serves the CRM check.
  const loaded: LoadedConfig | null = file && !existsSync(opts.config) ? null : await loadConfig(opts.config);
  // Each throws MAPPING_INVALID naming file, line and path (or CONFIG_INVALID for a mapping the configuration names that is missing).
  const mappings: CompiledMapping[] = file
    ? [await loadMapping(file, opts.source)]
    : [...(await loadSources(loaded!, nullLogger)).values()].map((s) => s.mapping);
  for (const m of mappings) process.stdout.write(`${m.file}: compiles (${m.targetFields.length} target fields)\n`);
  if (opts.offline || !loaded) {
    process.stdout.write('CRM check skipped (offline or no configuration)\n');
    return EXIT.ok;
  }

  let fields;
  const sink = createCiviCrmSink({ ...loaded.config.crm, retries: 0 }, { logger: nullLogger });
  try {
    fields = await sink.describeContactFields();
  } catch (err) {
    process.stdout.write(`CRM check skipped: CiviCRM at ${loaded.config.crm.base_url} could not be asked (${describeError(err)})\n`);
    return EXIT.ok;
  }
  let missing = 0;
  for (const m of mappings) {
    for (const f of m.targetFields) {
      if (fields.has(f)) continue;
      missing += 1;
      process.stdout.write(`${m.file}: target field "${f}" does not exist in CiviCRM${f.includes('.') && !f.includes('_primary.') ? ' (run `patron-bridge crm bootstrap` to create custom fields)' : ''}\n`);
    }
  }
  for (const m of mappings) {
    // Loans need their activity type, the Library_Loan fields on Activity and the contact they come from.
    const problem = m.loans ? await sink.loanSetupProblem({ activityType: m.loans.activityType.name, fields: m.loans.targetFields, sourceContact: m.loans.sourceContact }) : null;
    if (problem === null) continue;
    missing += 1;
    process.stdout.write(`${m.file}: loans: ${problem} (run \`patron-bridge crm bootstrap\`)\n`);
  }
  if (missing > 0) return EXIT.usage;
  process.stdout.write(`every target field exists in CiviCRM at ${loaded.config.crm.base_url}\n`);
  return EXIT.ok;
}
