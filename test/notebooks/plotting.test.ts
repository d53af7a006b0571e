/**
 * The notebooks' chart helpers (notebooks/lib/plotting.ts): log-axis ticks and their labels, and the grouping of
 * curves that would draw as one line. Pure functions; the browser test checks what the pages draw with them.
 */
import fc from 'fast-check';
import { test as fcTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { coincidentGroups, logAxis, logTickFormat, logTicks, mergeCoincident } from '../../notebooks/lib/plotting.js';

describe('log-axis ticks', () => {
  test('a wide range gets every k-th decade, at most maxTicks of them', () => {
    expect(logTicks(1e-16, 1e-2)).toEqual([1e-16, 1e-14, 1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2]);
    expect(logTicks(1e-16, 1e-2, 5)).toEqual([1e-15, 1e-12, 1e-9, 1e-6, 1e-3]);
    expect(logTicks(1, 1e5)).toEqual([1, 10, 100, 1000, 1e4, 1e5]);
  });

  test('a range holding fewer than three powers of ten also gets 2·10ᵉ and 5·10ᵉ', () => {
    expect(logTicks(0.01, 2)).toEqual([0.01, 0.1, 1]);
    expect(logTicks(0.05, 3)).toEqual([0.05, 0.1, 0.2, 0.5, 1, 2]);
  });

  test('labels: plain decimals inside [1e-3, 1e4], else powers of ten for every tick of the axis, never SI prefixes', () => {
    const plain = logTickFormat([0.01, 0.1, 1, 10, 100]);
    expect([0.01, 0.1, 1, 10, 100].map(plain)).toEqual(['0.01', '0.1', '1', '10', '100']);
    const sci = logTickFormat([1e-6, 1e-3, 1]);
    expect([1e-6, 1e-3, 1, 2e-5].map(sci)).toEqual(['10⁻⁶', '10⁻³', '10⁰', '2×10⁻⁵']);
  });

  // Seeded by the project's one fast-check seed (test/setup.ts; FC_SEED overrides it).
  fcTest.prop([fc.double({ min: -300, max: 300, noNaN: true }), fc.double({ min: 0, max: 30, noNaN: true })])(
    'every tick lies in the domain, there are 2 to 8 of them, and no label ends in an SI prefix',
    (logLo, span) => {
      const lo = 10 ** logLo;
      const hi = 10 ** Math.min(logLo + span, 300);
      const axis = logAxis([lo, hi], 'y', { nice: false });
      // Consecutive candidates 1, 2, 5, 10 are at most a factor 2.5 apart, so a range of 2.5² holds two.
      expect(axis.ticks.length).toBeGreaterThanOrEqual(hi / lo >= 6.25 ? 2 : 0);
      expect(axis.ticks.length).toBeLessThanOrEqual(8);
      for (const t of axis.ticks) {
        expect(t).toBeGreaterThanOrEqual(axis.domain[0] * (1 - 1e-12));
        expect(t).toBeLessThanOrEqual(axis.domain[1] * (1 + 1e-12));
        expect(axis.tickFormat(t)).not.toMatch(/\d[yzafpnµmkMGTPE]$/);
      }
    },
  );

  test('nice widens the domain to whole decades', () => {
    expect(logAxis([4, 2000], 'κ').domain).toEqual([1, 10000]);
    expect(logAxis([1e-3, 1000], 'κ').domain).toEqual([1e-3, 1000]);
    expect(logAxis([4, 2000], 'κ', { nice: false }).domain).toEqual([4, 2000]);
  });
});

describe('coinciding curves', () => {
  const line = (name: string, ys: number[]): { name: string; points: { x: number; y: number }[] } => ({ name, points: ys.map((y, x) => ({ x, y })) });

  test('curves within half a pixel everywhere form one group; a curve a pixel away does not join', () => {
    // Extent 0…100 over 200 px: half a pixel is 0.25.
    const curves = [line('a', [0, 50, 100]), line('b', [0.2, 50, 100]), line('c', [0, 50.6, 100]), line('d', [0, 50, 100])];
    expect(coincidentGroups(curves, { log: false, height: 200 })).toEqual([['a', 'b', 'd'], ['c']]);
  });

  test('on a log axis the distance is in decades', () => {
    // Extent 1e-12…1 is 12 decades over 240 px: half a pixel is 0.025 decades (a factor 1.059).
    const curves = [line('a', [1, 1e-6, 1e-12]), line('b', [1, 1.05e-6, 1e-12]), line('c', [1, 1.07e-6, 1e-12])];
    expect(coincidentGroups(curves, { log: true, height: 240 })).toEqual([['a', 'b'], ['c']]);
  });

  test('different x values never coincide', () => {
    expect(coincidentGroups([line('a', [1, 2]), { name: 'b', points: [{ x: 0, y: 1 }, { x: 2, y: 2 }] }], { log: false, height: 100 })).toEqual([['a'], ['b']]);
  });

  test('mergeCoincident keeps one curve per group, renamed after the group', () => {
    const rows = [
      { m: 'a', x: 0, y: 1 },
      { m: 'a', x: 1, y: 2 },
      { m: 'b', x: 0, y: 1 },
      { m: 'b', x: 1, y: 2 },
      { m: 'c', x: 0, y: 5 },
      { m: 'c', x: 1, y: 9 },
    ];
    const { rows: drawn, merged } = mergeCoincident(rows, 'm', 'x', 'y', { log: false, height: 200 });
    expect(merged).toEqual([['a', 'b']]);
    expect(drawn.map((r) => r.m)).toEqual(['a = b', 'a = b', 'c', 'c']);
  });
});
