import { InvalidArgumentError } from './errors.js';

/**
 * A seeded pseudo-random generator (xoshiro128**, seeded by splitmix32). Every random thing in the
 * library takes one of these (or a seed to build one); the same seed gives the same numbers on every
 * platform, because only 32-bit integer arithmetic is used.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  /** @param seed any integer; two generators with the same seed produce the same stream. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new InvalidArgumentError('seed', 'a safe integer (|seed| < 2^53)', seed);
    // Fold all 53 bits in: seeds that differ above bit 32 give different streams.
    const hi = Math.floor(seed / 4294967296);
    let x = ((seed >>> 0) ^ Math.imul(hi | 0, 0x85ebca6b) ^ 0x9e3779b9) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /**
   * Writes the next `n` values of {@link nextUint32} into `out[offset … offset + n)`: the same stream, bit for
   * bit, as n calls (test/rng.test.ts), ≈ 10× faster, since the state lives in locals while the loop runs.
   * For bulk draws such as dropout masks (≈ 400 000 per MLP step).
   */
  fillUint32(out: Uint32Array, offset = 0, n = out.length - offset): void {
    if (!Number.isInteger(offset) || !Number.isInteger(n) || offset < 0 || n < 0 || offset + n > out.length) {
      throw new InvalidArgumentError('n', `offset + n ≤ out.length (${out.length}) with non-negative integers`, `offset ${offset}, n ${n}`);
    }
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    for (let i = offset, end = offset + n; i < end; i++) {
      const m = Math.imul(s1, 5);
      const r = (m << 7) | (m >>> 25);
      out[i] = Math.imul(r, 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
    }
    this.s0 = s0 >>> 0;
    this.s1 = s1 >>> 0;
    this.s2 = s2 >>> 0;
    this.s3 = s3 >>> 0;
  }

  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.uniform() * (hi - lo + 1));
  }

  /** Standard normal N(0, 1) by the polar Box–Muller method. */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const r = u * u + v * v;
      if (r > 0 && r < 1) {
        const f = Math.sqrt((-2 * Math.log(r)) / r);
        this.spare = v * f;
        return u * f;
      }
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/*
 * Seed derivation, written once. A study, a search or a run is given one seed S; every generator in it is built
 * from a seed derived here, so that each stream is a pure function of (S, what it is for):
 * - {@link deriveSeed}(S, stream, i): the seed of run/trial i of `stream` (a method name, or a purpose such as
 *   "search:trainer", "retrain", "m:suggest"). FNV-1a of the text `"S|stream|i"`, kept to 31 bits.
 * - {@link epochSeeds}(s, e): inside a trainer with seed s, epoch e draws its batch order, perturbations and masks
 *   from `new Rng(train)` and its validation batches and hyper-step noise from `new Rng(val)`. A resumed run
 *   therefore repeats the uninterrupted one exactly. Derived seeds are < 2³¹ so that s·1 000 003 + e stays a safe
 *   integer.
 */

/** The seed of run/trial `index` of `stream` under the seed `seed` (see the remarks above). Pure. */
export function deriveSeed(seed: number, stream: string, index: number): number {
  let h = 0x811c9dc5;
  const text = `${seed}|${stream}|${index}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & 0x7fffffff;
}

/** The two seeds of epoch `epoch` of a trainer seeded `seed`: training stream and validation stream (remarks above). */
export function epochSeeds(seed: number, epoch: number): { train: number; val: number } {
  const train = seed * 1_000_003 + epoch;
  return { train, val: train + 500_000 };
}
