/** The `patron-bridge` command line. Each command lives in its own file; this file only wires them. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_CONFIG_PATH } from '../config/load.js';
import { bootstrapCommand } from './bootstrap-command.js';
import { configCheckCommand } from './config-command.js';
import { conflictsListCommand, conflictsResolveCommand, conflictsShowCommand } from './conflicts-command.js';
import { demoCommand } from './demo-command.js';
import { failuresListCommand, failuresReplayCommand } from './failures-command.js';
import { mappingValidateCommand } from './mapping-command.js';
import { mappingPreviewCommand } from './mapping-preview.js';
import { reportCommand } from './report-command.js';
import { runsCommand } from './runs-command.js';
import { EXIT_LATE, statusCommand } from './status-command.js';
import { describeError } from '../core/errors.js';
import { reportFatal } from './run-cli.js';
import { sandboxCommand } from './sandbox-command.js';
import { serveCommand } from './serve-command.js';
import { syncCommand } from './sync-command.js';
import { workerCommand } from './worker-command.js';

const configOption = () =>
  new Option('-c, --config <file>', 'configuration file (YAML)').default(process.env.PATRON_BRIDGE_CONFIG ?? DEFAULT_CONFIG_PATH);
const logLevelOption = () => new Option('--log-level <level>', 'override logging.level').choices(['error', 'warn', 'info', 'debug']);

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

// Last line of defence: a stray error is printed as one safe line (never a raw client error object:
// those carry credentials) and the process ends.
const fatal = (err: unknown) => {
  process.stderr.write(`error: ${describeError(err)}\n`);
  process.exit(1);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

const program = new Command()
  .name('patron-bridge')
  .description('Sync library patrons (Koha) into CiviCRM contacts through BullMQ queue workers.')
  .showHelpAfterError();

const run = (fn: (...args: never[]) => Promise<number>) =>
  async (...args: unknown[]) => {
    try {
      process.exitCode = await (fn as (...a: unknown[]) => Promise<number>)(...args);
    } catch (err) {
      process.exitCode = reportFatal(err);
    }
  };

program
  .command('sync')
  .description('start a sync run (incremental from the saved cursor unless --full)')
  .option('--once', 'run the workers in this process until the run is finished, print its report and exit')
  .option('--full', 'read every record, not only those changed since the last run (unchanged ones are still not re-sent)')
  .option('--resend', 'repair: read every record and treat every source value as changed (after a CRM restore or lost Redis state); still matched and under the field policies')
  .option('--source <id...>', 'only these sources (default: all configured)')
  .option('--json', 'print the report as JSON')
  .option('--timeout <seconds>', 'with --once: stop waiting after this long (default sync.run_timeout_seconds); the run stays resumable', positiveInt)
  .option('--dry-run', 'plan the run in this process without writing anything to the CRM or Redis: what would be created, linked, updated, left unchanged, held, rejected, deleted')
  .option('--plan <file>', 'with --dry-run: write the whole plan (every record, with before/after values) as JSON to this file')
  .addOption(new Option('--sample <n>', 'with --dry-run: updates shown field by field per stream').argParser(nonNegativeInt).default(5))
  .addOption(configOption())
  .addOption(logLevelOption())
  .addHelpText('after', '\nExit codes of --once: 0 every record written or deliberately skipped; 3 the run completed, but records were\nrejected or kept for retry (see the report and `failures list`); 1 the run failed or did not finish; 2 bad configuration or mapping.')
  .action(run((opts: Parameters<typeof syncCommand>[0]) => syncCommand(opts)));

program
  .command('worker')
  .description('run long-lived queue workers, install the configured schedules (sources[].schedule) and watch them; SIGTERM/SIGINT finish the jobs in hand and stop')
  .option('--http-port <port>', 'serve GET /healthz and /metrics on this port (default http.port; host http.host)', positiveInt)
  .addOption(configOption())
  .addOption(logLevelOption())
  .action(run((opts: Parameters<typeof workerCommand>[0]) => workerCommand(opts)));

program
  .command('status')
  .description('per source: schedule, next run, last run, last success and the watchdog (late when a scheduled run has not succeeded within its grace)')
  .option('--json', 'print as JSON')
  .addOption(configOption())
  .addHelpText('after', `\nExit codes: 0 every source on schedule (or unscheduled); ${EXIT_LATE} a source is late or has never succeeded past its grace;\n1 Redis cannot be reached; 2 bad configuration.`)
  .action(run((opts: Parameters<typeof statusCommand>[0]) => statusCommand(opts)));

program
  .command('runs')
  .description('list the kept runs, newest first (sync.keep_runs_days): id, mode, status, start, duration and counts')
  .option('--last <n>', 'at most this many runs (default 20)', positiveInt)
  .option('--json', 'print as JSON')
  .addOption(configOption())
  .action(run((opts: Parameters<typeof runsCommand>[0]) => runsCommand(opts)));

program
  .command('report')
  .argument('[runId]', 'run id (default: the latest run)')
  .description('print a kept run report')
  .option('--json', 'print as JSON')
  .option('--last <n>', 'print the last N runs', (v) => Number.parseInt(v, 10))
  .addOption(configOption())
  .action(run((runId: string | undefined, opts: Parameters<typeof reportCommand>[1]) => reportCommand(runId, opts)));

program
  .command('serve')
  .description('the status page for IT staff: runs and their reports, a live view, conflicts, failures, schedules and health (needs serve.username and serve.password)')
  .option('--host <host>', 'listen on this address (default serve.host, 127.0.0.1)')
  .option('--port <port>', 'listen on this port (default serve.port, 8787)', (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number (0-65535)');
    return n;
  })
  .addOption(configOption())
  .addOption(logLevelOption())
  .action(run((opts: Parameters<typeof serveCommand>[0]) => serveCommand(opts)));

const failures = program.command('failures').description('records a run could not write: kept, retried by later runs, parked after sync.park_after_runs');
failures
  .command('list')
  .description('list the kept failures (source, record id, code, reason, attempts; no personal data)')
  .option('--source <id>', 'only this source')
  .option('--parked', 'only parked ones')
  .option('--json', 'print as JSON')
  .addOption(configOption())
  .action(run((opts: Parameters<typeof failuresListCommand>[0]) => failuresListCommand(opts)));
failures
  .command('replay')
  .description('re-read the kept failures (parked ones too) from the source and write them now; prints the report')
  .option('--id <recordId...>', 'only these source record ids')
  .option('--source <id>', 'only this source')
  .option('--json', 'print the report as JSON')
  .option('--timeout <seconds>', 'stop waiting after this long', positiveInt)
  .addOption(configOption())
  .addOption(logLevelOption())
  .action(run((opts: Parameters<typeof failuresReplayCommand>[0]) => failuresReplayCommand(opts)));

const conflicts = program.command('conflicts').description('where the source and the CRM disagree: decided by policy and logged, or held for a person');
conflicts
  .command('list')
  .description('open conflicts (--all: also those decided by policy, and resolved ones)')
  .option('--source <id>', 'only this source')
  .option('--all', 'every kept conflict, not only open ones')
  .option('--json', 'print as JSON (with values)')
  .addOption(configOption())
  .action(run((opts: Parameters<typeof conflictsListCommand>[0]) => conflictsListCommand(opts)));
conflicts
  .command('show')
  .argument('<id>', 'conflict id (from conflicts list)')
  .description('one conflict with its values (last written, in the CRM, from the source)')
  .option('--source <id>', 'only this source')
  .option('--json', 'print as JSON')
  .addOption(configOption())
  .action(run((id: string, opts: Parameters<typeof conflictsShowCommand>[1]) => conflictsShowCommand(id, opts)));
conflicts
  .command('resolve')
  .argument('<id>', 'conflict id (from conflicts list)')
  .description('answer a conflict and apply the answer now (a replay of that record)')
  .option('--take <side>', 'source: write the source value (or create / bring back the contact); crm: keep the CRM value (for a deleted contact: never write it again)')
  .option('--link <contactId>', 'link the patron to this CRM contact (match conflicts)', positiveInt)
  .option('--source <id>', 'only this source')
  .option('--json', 'print the report as JSON')
  .option('--timeout <seconds>', 'stop waiting after this long', positiveInt)
  .addOption(configOption())
  .addOption(logLevelOption())
  .action(run((id: string, opts: Parameters<typeof conflictsResolveCommand>[1]) => conflictsResolveCommand(id, opts)));

const mapping = program.command('mapping').description('work with mapping files');
mapping
  .command('validate')
  .argument('[file]', 'mapping file (default: the mappings of every configured source)')
  .description('compile a mapping file; with a reachable CRM, also check every target field exists there (getFields)')
  .option('--source <id>', 'source id the mapping is for (namespaces external ids)', 'koha')
  .option('--offline', 'do not contact the CRM')
  .addOption(configOption())
  .action(run((file: string | undefined, opts: Parameters<typeof mappingValidateCommand>[1]) => mappingValidateCommand(file, opts)));

mapping
  .command('preview')
  .description('show how the first patrons of a source map, field by field (source field → CRM field: value), with warnings and rejections; writes nothing')
  .option('--limit <n>', 'how many patrons', positiveInt, 10)
  .option('--source <id>', 'only this source (default: every configured source)')
  .option('--json', 'print as JSON')
  .addOption(configOption())
  .addOption(logLevelOption())
  .action(run((opts: Parameters<typeof mappingPreviewCommand>[0]) => mappingPreviewCommand(opts)));

const config = program.command('config').description('work with the configuration file');
config
  .command('check')
  .description('validate the configuration file and the mapping files it names')
  .addOption(configOption())
  .action(run((opts: Parameters<typeof configCheckCommand>[0]) => configCheckCommand(opts)));

const crm = program.command('crm').description('prepare the CRM');
crm
  .command('bootstrap')
  .description('create the custom groups and fields the mappings write (needs an API key with "administer CiviCRM data")')
  .option('--api-key-env <name>', 'environment variable holding the admin API key', 'CIVICRM_ADMIN_API_KEY')
  .addOption(configOption())
  .action(run((opts: Parameters<typeof bootstrapCommand>[0]) => bootstrapCommand(opts)));

program
  .command('demo')
  .description('start sandbox Koha and CiviCRM servers with generated patrons, sync them through the queues, print the report')
  .option('--patrons <n>', 'how many patrons to generate', (v) => Number.parseInt(v, 10), 1000)
  .option('--seed <n>', 'generator seed', (v) => Number.parseInt(v, 10), 42)
  .option('--redis <url>', 'Redis URL', process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
  .action(run((opts: Parameters<typeof demoCommand>[0]) => demoCommand(opts)));

program
  .command('sandbox')
  .description('run the sandbox Koha and CiviCRM servers (for trying config/patron-bridge.yaml) until interrupted')
  .option('--patrons <n>', 'how many patrons to generate', (v) => Number.parseInt(v, 10), 1000)
  .option('--seed <n>', 'generator seed', (v) => Number.parseInt(v, 10), 42)
  .option('--koha-port <port>', 'Koha sandbox port', (v) => Number.parseInt(v, 10), 8081)
  .option('--civicrm-port <port>', 'CiviCRM sandbox port', (v) => Number.parseInt(v, 10), 8091)
  .action(run((opts: Parameters<typeof sandboxCommand>[0]) => sandboxCommand(opts)));

await program.parseAsync(process.argv);
