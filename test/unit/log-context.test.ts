import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger, formatContext, withLogContext } from '../../src/core/logger.js';

function capture(format: 'json' | 'text', secrets: string[] = []) {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk).trimEnd()); cb(); } });
  return { logger: createLogger({ format, stream, secrets }), lines, flush: () => new Promise((r) => setImmediate(r)) };
}

const JOB = { runId: 'r-20260301-abc', sourceId: 'koha', stream: 'patrons', jobId: 'page-r-20260301-abc-koha-patrons-3' };

describe('job context on log lines', () => {
  it('json: every line logged inside a job carries run, source, stream and job id, through awaits and timers', async () => {
    const { logger, lines, flush } = capture('json');
    await withLogContext(JOB, async () => {
      logger.info('page read');
      await new Promise((r) => setTimeout(r, 1));
      logger.warn('CiviCRM call failed, retrying', { method: 'Contact.save' });
    });
    logger.info('outside');
    await flush();
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({ message: 'page read', ...JOB });
    expect(parsed[1]).toMatchObject({ message: 'CiviCRM call failed, retrying', method: 'Contact.save', ...JOB });
    expect(parsed[2]).not.toHaveProperty('runId');
    expect(parsed[2]).not.toHaveProperty('jobId');
  });

  it('what a line says itself wins over the context; jobs side by side keep their own context', async () => {
    const { logger, lines, flush } = capture('json');
    await Promise.all([
      withLogContext({ runId: 'r1', jobId: 'j1' }, async () => { await new Promise((r) => setTimeout(r, 5)); logger.info('a'); }),
      withLogContext({ runId: 'r2', jobId: 'j2' }, async () => { logger.info('b', { runId: 'other' }); }),
    ]);
    await flush();
    const byMessage = Object.fromEntries(lines.map((l) => JSON.parse(l) as Record<string, unknown>).map((o) => [o.message, o]));
    expect(byMessage.a).toMatchObject({ runId: 'r1', jobId: 'j1' });
    expect(byMessage.b).toMatchObject({ runId: 'other', jobId: 'j2' });
  });

  it('text: the context is one compact bracket after the message, not repeated in the rest', async () => {
    const { logger, lines, flush } = capture('text');
    withLogContext(JOB, () => logger.info('page done', { read: 200, runId: JOB.runId }));
    await flush();
    expect(lines[0]).toMatch(/^\S+ info page done \[run=r-20260301-abc koha\/patrons job=page-r-20260301-abc-koha-patrons-3\] \{"read":200\}$/);
  });

  it('secrets are still redacted from lines with a context', async () => {
    const { logger, lines, flush } = capture('json', ['hunter2-secret']);
    withLogContext(JOB, () => logger.error('request failed', { url: 'https://koha.example/?pw=hunter2-secret' }));
    await flush();
    expect(lines[0]).not.toContain('hunter2-secret');
    expect(JSON.parse(lines[0]!)).toMatchObject({ url: 'https://koha.example/?pw=***', ...JOB });
  });

  it.each([
    [{}, ''],
    [{ runId: 'r1' }, '[run=r1]'],
    [{ runId: 'r1', sourceId: 'koha' }, '[run=r1 koha]'],
    [{ runId: 'r1', sourceId: 'koha', stream: 'checkouts', jobId: 'j' }, '[run=r1 koha/checkouts job=j]'],
  ])('formatContext(%j) is %p', (ctx, text) => {
    expect(formatContext(ctx)).toBe(text);
  });
});
