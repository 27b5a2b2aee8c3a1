/**
 * Composition of the Koha source: validated config → client → patron stream.
 */
import type { Connector } from '../connector.js';
import type { SourceConfig } from '../../src/config/schema.js';
import type { Logger } from '../../src/core/logger.js';
import { CHECKOUTS, PATRONS } from '../../src/core/streams.js';
import { createCheckoutStream } from './checkouts.js';
import { KohaClient, type KohaClientDeps } from './client.js';
import { readPatronsByIds } from './patrons-by-id.js';
import { createPatronStream } from './patrons.js';
import type { RetryOptions } from './retry.js';

export interface KohaConnectorDeps {
  logger: Logger;
  /** Clock for token expiry and Retry-After dates (tests pass a fake one). */
  now?: () => Date;
  /** Overrides of the in-call retry policy (tests use tiny timeouts). */
  retry?: Partial<RetryOptions>;
  /** Told of every Koha request (latency metrics). */
  observe?: KohaClientDeps['observe'];
}

export interface KohaConnector extends Connector {
  /** For small lookups such as libraries and categories (group titles). */
  readonly client: KohaClient;
}

export function createKohaConnector(source: SourceConfig, deps: KohaConnectorDeps): KohaConnector {
  const client = new KohaClient(source, {
    logger: deps.logger,
    now: deps.now ?? (() => new Date()),
    ...(deps.retry ? { retry: deps.retry } : {}),
    ...(deps.observe ? { observe: deps.observe } : {}),
  });
  return {
    sourceId: source.id,
    type: 'koha',
    client,
    streams: new Map([
      [PATRONS, {
        ...createPatronStream(client, { sourceId: source.id, timeZone: source.timezone, logger: deps.logger }),
        readIds: (ids) => readPatronsByIds(client, ids, { sourceId: source.id, timeZone: source.timezone }),
      }],
      [CHECKOUTS, createCheckoutStream(client, {
        sourceId: source.id, timeZone: source.timezone, logger: deps.logger,
        ...(source.anonymous_patron_id !== undefined ? { anonymousPatronId: source.anonymous_patron_id } : {}),
      })],
    ]),
    async close() {},
  };
}
