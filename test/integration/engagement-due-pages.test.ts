/**
 * Pages of due patrons read side by side (the engagement stream's 'commit' overlap): each page continues after
 * the last patron of the one before, in due order (time, then key), whether or not that page has rescheduled its
 * patrons yet, so no patron is read twice or missed. On Redis and in memory alike.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createMemoryIndex, createRedisIndex } from '../../src/state/index-state.js';
import type { IndexState } from '../../src/state/ports.js';
import { dropPrefix, REDIS_URL } from './sync-harness.js';

const UNIT = 'koha.checkouts';
const DAY = 86_400_000;

let redis: Redis;
const prefix = `pb-test-due-${randomBytes(4).toString('hex')}`;
beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await dropPrefix(prefix, redis);
  redis.disconnect();
});

const kinds: Array<[string, () => IndexState]> = [
  ['Redis', () => createRedisIndex(redis, `${prefix}:${randomBytes(3).toString('hex')}`)],
  ['memory', () => createMemoryIndex(() => new Map())],
];

describe.each(kinds)('due engagements in pages (%s)', (_kind, make) => {
  const keys = (page: Array<{ patronKey: string }>) => page.map((d) => d.patronKey);

  it('reads the due patrons in order of time, then key, and continues strictly after the cursor', async () => {
    const index = make();
    await index.scheduleEngagements(UNIT, [
      { patronKey: 'koha:3', atMs: 0 }, { patronKey: 'koha:1', atMs: 0 }, { patronKey: 'koha:2', atMs: 5 * DAY },
      { patronKey: 'koha:10', atMs: 0 }, { patronKey: 'koha:9', atMs: 2 * DAY }, { patronKey: 'koha:later', atMs: 30 * DAY },
    ]);
    const first = await index.dueEngagements(UNIT, 10 * DAY, 2);
    expect(first).toEqual([{ patronKey: 'koha:1', atMs: 0 }, { patronKey: 'koha:10', atMs: 0 }]);
    const second = await index.dueEngagements(UNIT, 10 * DAY, 2, first[1]);
    expect(second).toEqual([{ patronKey: 'koha:3', atMs: 0 }, { patronKey: 'koha:9', atMs: 2 * DAY }]);
    expect(keys(await index.dueEngagements(UNIT, 10 * DAY, 2, second[1]))).toEqual(['koha:2']);
  });

  it('a page read before the page ahead of it rescheduled its patrons gets the next ones, not the same', async () => {
    const index = make();
    await index.scheduleEngagements(UNIT, ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((p) => ({ patronKey: `koha:${p}`, atMs: 0 })));
    const page1 = await index.dueEngagements(UNIT, DAY, 3);
    const page2 = await index.dueEngagements(UNIT, DAY, 3, page1.at(-1));
    // page 2 writes first: its patrons move to a later day or out of the set, page 1's are still due
    await index.scheduleEngagements(UNIT, [{ patronKey: 'koha:d', atMs: 40 * DAY }, { patronKey: 'koha:e', atMs: null }, { patronKey: 'koha:f', atMs: 40 * DAY }]);
    const page3 = await index.dueEngagements(UNIT, DAY, 3, page2.at(-1));
    await index.scheduleEngagements(UNIT, [{ patronKey: 'koha:a', atMs: 40 * DAY }, { patronKey: 'koha:b', atMs: null }, { patronKey: 'koha:c', atMs: 40 * DAY }]);
    expect([keys(page1), keys(page2), keys(page3)]).toEqual([['koha:a', 'koha:b', 'koha:c'], ['koha:d', 'koha:e', 'koha:f'], ['koha:g']]);
    // and a page whose cursor patron was already rescheduled still continues after it
    expect(keys(await index.dueEngagements(UNIT, DAY, 3, { patronKey: 'koha:c', atMs: 0 }))).toEqual(['koha:g']);
  });
});
