/**
 * The seeded generator (src/rng.ts): reproducible streams, uniform range, and the moments of `normal()`
 * against the Monte Carlo policy (4 standard errors, the standard error estimated in the same run).
 */
import { test, fc } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { InvalidArgumentError } from '../src/errors.js';
import { Rng } from '../src/rng.js';
import { monteCarloTol } from '../src/tolerance.js';

function draws(rng: Rng, n: number, f: (r: Rng) => number): number[] {
  return Array.from({ length: n }, () => f(rng));
}

describe('Rng', () => {
  test.prop([fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })], { numRuns: 50 })('same seed, same stream (uint32, uniform, normal, int interleaved)', (seed) => {
    const a = new Rng(seed);
    const b = new Rng(seed);
    for (let i = 0; i < 50; i++) {
      expect(a.nextUint32()).toBe(b.nextUint32());
      expect(a.uniform()).toBe(b.uniform());
      expect(a.normal()).toBe(b.normal());
      expect(a.int(-3, 7)).toBe(b.int(-3, 7));
    }
  });

  test.prop([fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 5 })], { numRuns: 60 })(
    'fillUint32 writes exactly the nextUint32 stream, and leaves the generator where n calls would',
    (seed, n, offset) => {
      const a = new Rng(seed);
      const b = new Rng(seed);
      a.nextUint32(); // a state that is not the seed's first
      b.nextUint32();
      const out = new Uint32Array(offset + n + 2).fill(7);
      a.fillUint32(out, offset, n);
      expect(Array.from(out.subarray(offset, offset + n))).toEqual(draws(b, n, (r) => r.nextUint32()));
      expect([...out.subarray(0, offset), ...out.subarray(offset + n)]).toEqual(new Array(offset + 2).fill(7));
      expect(a.nextUint32()).toBe(b.nextUint32());
      expect(a.uniform()).toBe(b.uniform());
    },
  );

  test('fillUint32: a range outside the array is a typed error', () => {
    expect(() => new Rng(1).fillUint32(new Uint32Array(4), 2, 3)).toThrow(InvalidArgumentError);
    expect(() => new Rng(1).fillUint32(new Uint32Array(4), -1, 1)).toThrow(InvalidArgumentError);
  });

  test.prop([fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 2 })], { numRuns: 50 })('neighbouring seeds give different streams', (seed) => {
    const a = draws(new Rng(seed), 8, (r) => r.nextUint32());
    const b = draws(new Rng(seed + 1), 8, (r) => r.nextUint32());
    expect(a).not.toEqual(b);
  });

  test('a fixed seed reproduces a fixed stream (guards against accidental changes to the generator)', () => {
    const first = draws(new Rng(42), 4, (r) => r.nextUint32());
    expect(draws(new Rng(42), 4, (r) => r.nextUint32())).toEqual(first);
    expect(first.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32)).toBe(true);
    expect(new Set(first).size).toBe(4);
  });

  test('uniform() ∈ [0, 1) with mean ½ and variance 1/12 within 4 standard errors (1e5 draws)', () => {
    const n = 100_000;
    const u = draws(new Rng(7), n, (r) => r.uniform());
    expect(u.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = u.reduce((s, x) => s + x, 0) / n;
    const variance = u.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
    expect(Math.abs(mean - 0.5)).toBeLessThanOrEqual(monteCarloTol(Math.sqrt(variance / n)));
    const m4 = u.reduce((s, x) => s + (x - mean) ** 4, 0) / n;
    expect(Math.abs(variance - 1 / 12)).toBeLessThanOrEqual(monteCarloTol(Math.sqrt((m4 - variance ** 2) / n)));
  });

  test('normal(): mean 0 and variance 1 within 4 standard errors (1e5 draws, SEs from the same run)', () => {
    const n = 100_000;
    const z = draws(new Rng(2024), n, (r) => r.normal());
    expect(z.every(Number.isFinite)).toBe(true);
    const mean = z.reduce((s, x) => s + x, 0) / n;
    const variance = z.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
    const m4 = z.reduce((s, x) => s + (x - mean) ** 4, 0) / n;
    expect(Math.abs(mean)).toBeLessThanOrEqual(monteCarloTol(Math.sqrt(variance / n)));
    // SE of the sample variance: √((m₄ − s⁴)/n), with m₄ the fourth central moment (≈ 3 for a normal).
    expect(Math.abs(variance - 1)).toBeLessThanOrEqual(monteCarloTol(Math.sqrt((m4 - variance ** 2) / n)));
    // P(|z| ≤ 1) = 0.682689…: a binomial proportion, SE √(p(1−p)/n)
    const p = z.filter((x) => Math.abs(x) <= 1).length / n;
    expect(Math.abs(p - 0.6826894921370859)).toBeLessThanOrEqual(monteCarloTol(Math.sqrt((p * (1 - p)) / n)));
  });

  test('uniform() uses all 53 bits: u·2^53 is an integer whose lowest bit is 1 half the time (4 SE)', () => {
    const n = 20_000;
    const u = draws(new Rng(11), n, (r) => r.uniform());
    const m = u.map((x) => x * 2 ** 53);
    expect(m.every(Number.isInteger)).toBe(true);
    const odd = m.filter((x) => x % 2 === 1).length / n;
    expect(Math.abs(odd - 0.5)).toBeLessThanOrEqual(monteCarloTol(Math.sqrt(0.25 / n)));
  });

  test('int(lo, hi) is inclusive and hits every value', () => {
    const seen = new Set(draws(new Rng(3), 2000, (r) => r.int(-2, 3)));
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2, 3]);
  });

  test('seeds above 2^32 are not truncated: they give their own streams', () => {
    expect(new Rng(1).nextUint32()).not.toBe(new Rng(2 ** 32 + 1).nextUint32());
  });

  test('a non-finite seed is rejected', () => {
    expect(() => new Rng(Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => new Rng(1.5)).toThrow(/seed/);
    expect(() => new Rng(Infinity)).toThrow(/seed/);
  });
});
