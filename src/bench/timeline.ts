/**
 * Where a CRM pool stood idle during a run, from the sandbox pool's timeline (the requests it served:
 * when each took a worker, how long it held it, what it was). Pure; `npm run bench -- --timeline DIR`
 * prints it per scenario and writes the timeline as JSON.
 */
import type { PoolSpan as Span } from '../sandbox/civicrm/cost.js';

export interface Slice {
  /** start of the slice, ms from the pool's reset */
  from: number;
  /** workers idle on average in the slice */
  idle: number;
  /** requests that took a worker in the slice, by "Entity.action" */
  started: Record<string, number>;
}

/** Idle workers per slice of `sliceMs`, from 0 to the end of the last request. */
export function idleProfile(spans: readonly Span[], workers: number, sliceMs = 500): { endMs: number; busyMs: number; idleMs: number; slices: Slice[] } {
  const edges = spans.flatMap((s) => [{ t: s.at, d: 1 }, { t: s.at + s.ms, d: -1 }]).sort((a, b) => a.t - b.t || a.d - b.d);
  const endMs = edges.length ? edges[edges.length - 1]!.t : 0;
  const count = Math.max(1, Math.ceil(endMs / sliceMs));
  const slices: Slice[] = Array.from({ length: count }, (_, i) => ({ from: i * sliceMs, idle: 0, started: {} }));
  let busy = 0;
  let t = 0;
  let idleMs = 0;
  const addIdle = (from: number, to: number, n: number) => {
    for (let x = from; x < to; ) {
      const i = Math.min(count - 1, Math.floor(x / sliceMs));
      const y = Math.min(to, (i + 1) * sliceMs);
      slices[i]!.idle += ((y - x) * n) / sliceMs;
      x = y;
    }
  };
  for (const e of edges) {
    if (e.t > t && busy < workers) {
      addIdle(t, e.t, workers - busy);
      idleMs += (e.t - t) * (workers - busy);
    }
    t = Math.max(t, e.t);
    busy += e.d;
  }
  for (const s of spans) {
    const slice = slices[Math.min(count - 1, Math.floor(s.at / sliceMs))]!;
    slice.started[s.action] = (slice.started[s.action] ?? 0) + 1;
  }
  return { endMs, busyMs: spans.reduce((n, s) => n + s.ms, 0), idleMs, slices };
}
