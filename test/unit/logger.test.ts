import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger, makeRedactor } from '../../src/core/logger.js';

describe('log redaction', () => {
  it('removes secrets, their URL and base64 forms, from every log line', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    const logger = createLogger({ secrets: ['s3cr3t/key+1'], format: 'json', stream });
    logger.error('request failed', { url: 'http://x/?k=s3cr3t%2Fkey%2B1', header: `Basic ${Buffer.from('s3cr3t/key+1').toString('base64')}`, note: 'key s3cr3t/key+1' });
    await new Promise((r) => setImmediate(r));
    expect(lines.join('')).not.toMatch(/s3cr3t|czNjcjN0/);
    expect(lines.join('')).toContain('***');
  });

  it('leaves text without secrets alone', () => {
    expect(makeRedactor(['abcd1234'])('nothing to hide')).toBe('nothing to hide');
  });
});
