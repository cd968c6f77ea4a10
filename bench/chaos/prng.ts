/**
 * A small seeded PRNG (mulberry32): the same seed draws the same operations, signals and kill
 * moments, so a failing chaos run replays with `--seed S`.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fresh seed when none is given: printed, so the run can be replayed. */
export function newSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}
