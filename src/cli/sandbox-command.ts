/** `patron-bridge sandbox`: run both sandbox servers on fixed ports until interrupted. */
import { SANDBOX_CREDENTIALS, startSandboxes } from '../sandbox/environment.js';
import { EXIT } from './run-cli.js';

export interface SandboxOptions {
  patrons: number;
  seed: number;
  kohaPort: number;
  civicrmPort: number;
}

export async function sandboxCommand(opts: SandboxOptions): Promise<number> {
  const env = await startSandboxes({ patrons: opts.patrons, seed: opts.seed, anonymousPatron: true, kohaPort: opts.kohaPort, civiPort: opts.civicrmPort });
  process.stdout.write(
    [
      `Koha sandbox:    ${env.koha.url}/api/v1  (${env.dataset.patrons.length} patrons; Basic ${SANDBOX_CREDENTIALS.koha.username} / ${SANDBOX_CREDENTIALS.koha.password})`,
      `CiviCRM sandbox: ${env.civi.url}/civicrm/ajax/api4  (sync key ${SANDBOX_CREDENTIALS.civicrm.sync}, admin key ${SANDBOX_CREDENTIALS.civicrm.admin})`,
      'These are throwaway sandbox keys. config/patron-bridge.yaml points here; try:',
      `  CIVICRM_ADMIN_API_KEY=${SANDBOX_CREDENTIALS.civicrm.admin} npx patron-bridge crm bootstrap && npx patron-bridge sync --once`,
      'Ctrl-C stops the sandboxes.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await env.stop();
  return EXIT.ok;
}
