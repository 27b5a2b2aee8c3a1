/** One APIv4 call to a sandbox CiviCRM as a principal of the recording (form-encoded `params`, X-Civi-Auth). */
import type { CiviSandbox, PrincipalName } from '../../src/sandbox/civicrm/index.js';

export interface CiviReply {
  status: number;
  body: Record<string, unknown>;
  values: Array<Record<string, unknown>>;
}

export async function civiCall(s: CiviSandbox, entity: string, action: string, params: unknown, who: PrincipalName = 'sync'): Promise<CiviReply> {
  const res = await fetch(`${s.url}/civicrm/ajax/api4/${entity}/${action}`, {
    method: 'POST',
    headers: { 'X-Civi-Auth': `Bearer ${s.keys[who]}`, 'X-Requested-With': 'XMLHttpRequest', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ params: JSON.stringify(params) }).toString(),
  });
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, body, values: (body['values'] ?? []) as Array<Record<string, unknown>> };
}
