/**
 * Progress of a run, per source and stream, from its report (pure): figures, a rate over the
 * recent past, and how they read on a terminal or in a log line.
 */
import type { RunReport } from '../state/ports.js';

export type StreamState = 'waiting' | 'running' | 'done' | 'failed';

export interface StreamFigures {
  sourceId: string;
  stream: string;
  state: StreamState;
  read: number;
  /** Created, linked, updated or deleted in the CRM. */
  written: number;
  /** Rejected. */
  failed: number;
  /** What the stream will read, as the source counted it when the stream began (absent: unknown). */
  expected?: number;
}

export function figuresOf(report: RunReport): StreamFigures[] {
  return report.sources.map((s) => ({
    sourceId: s.sourceId,
    stream: s.stream,
    state: s.status === 'running' ? (s.pages === 0 && s.read === 0 ? 'waiting' : 'running') : s.status,
    read: s.read,
    written: s.created + s.linked + s.updated + s.deleted,
    failed: s.rejected,
    ...(s.expected !== undefined ? { expected: s.expected } : {}),
  }));
}

export interface Sample {
  atMs: number;
  read: number;
}

/** Records read per second over the samples of the last `windowMs` (at least two samples apart in time), else null. */
export function rateOf(samples: readonly Sample[], windowMs: number): number | null {
  const last = samples[samples.length - 1];
  if (!last) return null;
  const first = samples.find((s) => last.atMs - s.atMs <= windowMs) ?? last;
  const seconds = (last.atMs - first.atMs) / 1000;
  return seconds > 0 ? (last.read - first.read) / seconds : null;
}

/** 0.4/s, 12/s, 1,250/s; a dash before there is a rate. */
export function formatRate(perSecond: number | null): string {
  if (perSecond === null) return '–/s';
  return `${perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond).toLocaleString('en-US')}/s`;
}

/** Seconds until the stream has read what it expects at this rate; null when either is unknown (or nothing moves). */
export function secondsLeft(f: Pick<StreamFigures, 'read' | 'expected'>, perSecond: number | null): number | null {
  if (f.expected === undefined || perSecond === null || perSecond <= 0) return null;
  return Math.ceil(Math.max(0, f.expected - f.read) / perSecond);
}

/** 45 s, 12 min 5 s, 2 h 3 min. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min ${seconds % 60} s`;
}

/**
 * `koha/patrons   running  read 1,200 of 5,000 · written 1,150 · failed 3 · 45/s · 1 min 25 s left`
 * (rate and time left only while running; "of" and time left only when the source said how many).
 */
export function progressLine(f: StreamFigures, perSecond: number | null, nameWidth = 0): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const name = `${f.sourceId}/${f.stream}`.padEnd(nameWidth);
  const of = f.expected !== undefined ? ` of ${n(f.expected)}` : '';
  const left = secondsLeft(f, perSecond);
  const rate = f.state === 'running' ? ` · ${formatRate(perSecond)}${left !== null ? ` · ${formatDuration(left)} left` : ''}` : '';
  return `${name} ${f.state.padEnd(7)} read ${n(f.read)}${of} · written ${n(f.written)} · failed ${n(f.failed)}${rate}`;
}

/** Keeps the recent samples of each stream and gives the figures with their rate. */
export function createProgressTracker(windowMs: number) {
  const samples = new Map<string, Sample[]>();
  return {
    update(report: RunReport, atMs: number): Array<{ figures: StreamFigures; perSecond: number | null }> {
      return figuresOf(report).map((figures) => {
        const key = `${figures.sourceId}/${figures.stream}`;
        const kept = (samples.get(key) ?? []).filter((s) => atMs - s.atMs <= windowMs);
        kept.push({ atMs, read: figures.read });
        samples.set(key, kept);
        return { figures, perSecond: rateOf(kept, windowMs) };
      });
    },
  };
}
