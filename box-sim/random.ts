/**
 * Deterministic hashing and pseudo-random streams. Everything the simulator generates (users, trees,
 * content, events) is a pure function of the seed and an index, so nothing needs to be stored up front.
 */

/** Mixes up to four integers into a well-distributed unsigned 32-bit value. */
export function hash32(a: number, b = 0, c = 0, d = 0): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ b, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ Math.imul(c, 0x27d4eb2f), 0x165667b1);
  h = Math.imul(h ^ (h >>> 15) ^ Math.imul(d, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A value in [0, 1) derived from the hash of the arguments. */
export function hashUnit(a: number, b = 0, c = 0, d = 0): number {
  return hash32(a, b, c, d) / 4294967296;
}

/** A sequential seeded generator (mulberry32) for streams such as generated text. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next unsigned 32-bit value. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/** A deterministic UUID-shaped string from a seed and an index. */
export function hashUuid(seed: number, kind: number, index: number): string {
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  const a = hex(hash32(seed, kind, index, 1));
  const b = hex(hash32(seed, kind, index, 2));
  const c = hex(hash32(seed, kind, index, 3));
  const d = hex(hash32(seed, kind, index, 4));
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${((parseInt(c[0]!, 16) & 3) | 8).toString(16)}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}
