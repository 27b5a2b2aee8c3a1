/**
 * Live progress of a run while `sync --once` waits for it: on a terminal, a line per source and
 * stream redrawn every second (cli-progress, on stderr, log lines printed above it); without one,
 * a log line per stream every `intervalMs`.
 */
import cliProgress from 'cli-progress';
import { clearLine, clearScreenDown, cursorTo, moveCursor } from 'node:readline';
import type { Logger } from '../core/logger.js';
import type { RunReport } from '../state/ports.js';
import { createProgressTracker, progressLine, secondsLeft, type StreamFigures } from './progress.js';

export interface ProgressOptions {
  runId: string;
  getRun(runId: string): Promise<RunReport | null>;
  logger: Logger;
  /** Draw on the terminal (stderr is a TTY) rather than log. */
  tty: boolean;
  /** Between log lines without a terminal. */
  intervalMs: number;
}

export interface Progress {
  /** Draws or logs the last figures once more and stops. */
  stop(): Promise<void>;
}

const TTY_REFRESH_MS = 1000;
const RATE_WINDOW_MS = 30_000;

export function startProgress(opts: ProgressOptions): Progress {
  const tracker = createProgressTracker(Math.max(RATE_WINDOW_MS, opts.intervalMs));
  const show = opts.tty ? terminalView() : logView(opts.logger, opts.runId);
  let stopped = false;
  let busy: Promise<void> = Promise.resolve();
  const poll = (final: boolean) => {
    busy = busy.then(async () => {
      const report = await opts.getRun(opts.runId).catch(() => null); // a Redis blip is waitForRun's to report
      if (report) show.render(tracker.update(report, Date.now()), final);
    });
    return busy;
  };
  void poll(false);
  const timer = setInterval(() => void poll(false), opts.tty ? TTY_REFRESH_MS : opts.intervalMs);
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await poll(true);
      show.close();
    },
  };
}

interface View {
  render(rows: Array<{ figures: StreamFigures; perSecond: number | null }>, final: boolean): void;
  close(): void;
}

/**
 * One log line per stream that runs, and once more when it has finished. A running stream's line
 * waits for its rate (a second sample): a line at the start, read 0 and no rate, tells nothing.
 */
function logView(logger: Logger, runId: string): View {
  const reported = new Set<string>();
  return {
    render(rows, final) {
      for (const { figures: f, perSecond } of rows) {
        const key = `${f.sourceId}/${f.stream}`;
        const finished = f.state === 'done' || f.state === 'failed';
        if (f.state === 'waiting' || (finished && reported.has(key)) || (final && !finished) || (f.state === 'running' && perSecond === null)) continue;
        if (finished) reported.add(key);
        logger.info('progress', {
          runId, sourceId: f.sourceId, stream: f.stream, state: f.state, read: f.read, written: f.written, failed: f.failed,
          ...(f.expected !== undefined ? { expected: f.expected } : {}),
          ...(f.state === 'running' && perSecond !== null ? { perSecond: Math.round(perSecond * 10) / 10 } : {}),
          ...(f.state === 'running' && secondsLeft(f, perSecond) !== null ? { secondsLeft: secondsLeft(f, perSecond) } : {}),
        });
      }
    },
    close() {},
  };
}

/** Bars on stderr; whatever else is written to stderr meanwhile (log lines) is printed above them. */
function terminalView(): View {
  const stderr = process.stderr;
  const original = stderr.write;
  const write = original.bind(stderr) as (chunk: string) => boolean;
  // cli-progress draws through this, so its own output is not taken for a log line.
  const screen: Partial<NodeJS.WriteStream> & { write(s: string): boolean } = { isTTY: true, write: (s: string) => write(s) };
  Object.defineProperty(screen, 'columns', { get: () => stderr.columns });
  for (const [name, fn] of Object.entries({ cursorTo, moveCursor, clearLine, clearScreenDown })) {
    (screen as Record<string, unknown>)[name] = (...args: unknown[]) => (fn as (...a: unknown[]) => boolean)(screen, ...args);
  }
  const bars = new cliProgress.MultiBar(
    // forceRedraw: a log line printed over the bars must not leave them blank until their figures change.
    { stream: screen as NodeJS.WriteStream, format: '{line}', hideCursor: true, clearOnComplete: false, forceRedraw: true, linewrap: true, fps: 5 },
    cliProgress.Presets.legacy,
  );
  const shown = new Map<string, cliProgress.SingleBar>();
  stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    // Cleared first: the line it is printed on held a bar.
    bars.log(`\x1b[2K${typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()}`);
    bars.update();
    const done = rest.find((r): r is () => void => typeof r === 'function');
    done?.();
    return true;
  }) as typeof stderr.write;
  return {
    render(rows) {
      const width = Math.max(...rows.map((r) => `${r.figures.sourceId}/${r.figures.stream}`.length));
      for (const { figures: f, perSecond } of rows) {
        const key = `${f.sourceId}/${f.stream}`;
        const line = progressLine(f, perSecond, width);
        const bar = shown.get(key);
        if (bar) bar.update(0, { line });
        else shown.set(key, bars.create(0, 0, { line }));
      }
      bars.update();
    },
    close() {
      bars.update();
      bars.stop();
      stderr.write = original;
    },
  };
}
