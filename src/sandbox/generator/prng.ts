/** A small seeded PRNG (mulberry32) and helpers, so a seed always gives the same dataset. */

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(list: readonly T[]): T;
  /** Pick by weight: [[value, weight], …]. */
  weighted<T>(options: ReadonlyArray<readonly [T, number]>): T;
}

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (list) => {
      if (list.length === 0) throw new Error('pick from an empty list');
      return list[int(0, list.length - 1)]!;
    },
    weighted: (options) => {
      const total = options.reduce((s, [, w]) => s + w, 0);
      let r = next() * total;
      for (const [v, w] of options) {
        r -= w;
        if (r < 0) return v;
      }
      return options[options.length - 1]![0];
    },
  };
}
