/** Shared fixtures for the Koha connector tests (nock-based, no network). */
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import nock from 'nock';
import { sourceSchema, type SourceConfig } from '../../src/config/schema.js';
import type { Logger } from '../../src/core/logger.js';

export const BASE = 'http://koha.test';
export const PASSWORD = 'pw-S3cret!9';
export const CLIENT_SECRET = 'cs-T0pSecret-42';
export const TOKEN_A = 'tok-AAAA-1111-aaaa';
export const TOKEN_B = 'tok-BBBB-2222-bbbb';

export function kohaSource(overrides: Record<string, unknown> = {}): SourceConfig {
  return sourceSchema.parse({
    id: 'koha',
    type: 'koha',
    base_url: BASE,
    auth: { type: 'basic', username: 'sync', password: PASSWORD },
    mapping: 'koha.yaml',
    timezone: 'UTC',
    ...overrides,
  });
}

export const oauthAuth = { type: 'oauth2', client_id: 'bridge-client', client_secret: CLIENT_SECRET };

export interface CapturingLogger extends Logger {
  lines: { level: string; message: string; meta?: Record<string, unknown> }[];
}

export function capturingLogger(): CapturingLogger {
  const lines: CapturingLogger['lines'] = [];
  const at = (level: string) => (message: string, meta?: Record<string, unknown>) => {
    lines.push(meta === undefined ? { level, message } : { level, message, meta });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Retry policy with no real waiting; `waits` records Retry-After sleeps. */
export function fastRetry(): { retries: number; minTimeoutMs: number; maxTimeoutMs: number; sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 2, waits, sleep: async (ms) => void waits.push(ms) };
}

/** A minimal valid Koha patron row (only made-up data). */
export function patronRow(id: number, updatedOn: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    patron_id: id,
    updated_on: updatedOn,
    surname: `Surname${id}`,
    firstname: null,
    email: `p${id}@example.org`,
    library_id: 'CPL',
    category_id: 'PT',
    date_of_birth: '1990-04-01',
    anonymized: false,
    restricted: false,
    extended_attributes: [{ extended_attribute_id: 1, type: 'STUDENTID', value: 'S1' }],
    ...extra,
  };
}

/** Network off for this file's tests; nock cleaned after each and fully restored after the file. */
export function isolateNock(): void {
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => {
    nock.enableNetConnect();
    nock.restore(); // each test file loads its own nock; leave none active for the next file
  });
  afterEach(() => nock.cleanAll());
}
