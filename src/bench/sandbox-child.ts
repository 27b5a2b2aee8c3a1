/**
 * The benchmark's sandboxes in a process of their own (so the worker's CPU and memory are its own):
 * Koha and CiviCRM with the cost model, driven over IPC by src/bench/run.ts.
 *   → { cmd: 'stats' }                 ← { pool, requests }
 *   → { cmd: 'timeline' }              ← { spans }   (the pool's served requests since the reset)
 *   → { cmd: 'reset' }                 ← {}
 *   → { cmd: 'change', patrons, loans } ← { patrons, loans }   (a night's worth of changes in Koha)
 *   → { cmd: 'stop' }
 * Started with argv: patrons seed workers scale [loanFactor].
 */
import { startSandboxes } from '../sandbox/environment.js';

type Message = { id: number; cmd: 'stats' | 'timeline' | 'reset' | 'change' | 'stop'; patrons?: number; loans?: number };

const [patrons, seed, workers, scale, loanFactor = 1] = process.argv.slice(2).map(Number) as [number, number, number, number, number?];
const env = await startSandboxes({ patrons, seed, anonymousPatron: true, civiCost: { workers, scale }, loanFactor });
const send = (m: unknown) => process.send!(m);

/** A deterministic night: `n` patrons edited by staff, `m` loans returned (or renewed when few are out). */
function change(n: number, m: number): { patrons: number; loans: number } {
  const editable = env.dataset.patrons.filter((p) => !p.anonymized && (p.surname ?? '').trim() !== '' && p.patron_id !== env.koha.anonymousPatronId);
  const step = Math.max(1, Math.floor(editable.length / Math.max(1, n)));
  let edited = 0;
  for (let i = 0; i < editable.length && edited < n; i += step, edited++) env.koha.updatePatron(editable[i]!.patron_id, { city: `Night ${Date.now() % 100000}` });
  const out = env.koha.checkouts().filter((c) => c.checkin_date === null);
  let loans = 0;
  for (const c of out) {
    if (loans >= m) break;
    if (loans % 2 === 0) env.koha.returnLoan(c.checkout_id);
    else env.koha.renewLoan(c.checkout_id);
    loans++;
  }
  return { patrons: edited, loans };
}

process.on('message', (m: Message) => {
  if (m.cmd === 'stats') send({ id: m.id, pool: env.civi.poolReport(), costByAction: env.civi.stats.pool?.costByAction ?? {}, requests: env.civi.stats.requests });
  else if (m.cmd === 'timeline') send({ id: m.id, spans: env.civi.poolTimeline() });
  else if (m.cmd === 'reset') {
    env.civi.resetStats();
    send({ id: m.id });
  } else if (m.cmd === 'change') send({ id: m.id, ...change(m.patrons ?? 0, m.loans ?? 0) });
  else if (m.cmd === 'stop') void env.stop().then(() => process.exit(0));
});
send({
  ready: true, koha: env.koha.url, civi: env.civi.url, timezone: env.civi.timezone, anonymousPatronId: env.koha.anonymousPatronId,
  patrons: env.dataset.patrons.length, loans: env.dataset.checkouts.length,
});
