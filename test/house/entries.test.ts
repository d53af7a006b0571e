/**
 * The package's entries: `deltastn/theory` (src/theoryEntry.ts) reaches no TensorFlow.js module and no Node
 * builtin, so a theory-only user (or notebook) never loads tfjs and the entry runs in a browser; and it loads and
 * computes in a plain import.
 */
import { describe, expect, test } from 'vitest';
import { packageImports, reachable, sourceGraph } from './graph.js';

describe('deltastn/theory', () => {
  const graph = sourceGraph('src');
  const packages = packageImports('src');
  const closure = reachable(graph, 'src/theoryEntry.ts');

  test('reaches the kernel, the claims and the small engine, and no module of the network engine', () => {
    for (const m of ['src/linalg/exact.ts', 'src/theory/registry.ts', 'src/bilevel/methods.ts', 'src/experiments/ridge.ts']) expect(closure.has(m), m).toBe(true);
    expect([...closure].filter((m) => m.startsWith('src/nn/') || m.startsWith('src/tune/') || m.startsWith('src/cli/'))).toEqual([]);
  });

  test('no module it reaches imports TensorFlow.js or a Node builtin', () => {
    const offending = [...closure].flatMap((m) => (packages.get(m) ?? []).filter((p) => p.startsWith('@tensorflow/') || p.startsWith('node:')).map((p) => `${m} → ${p}`));
    expect(offending).toEqual([]);
    // The check can see such an import: the main entry reaches tfjs.
    const main = reachable(graph, 'src/index.ts');
    expect([...main].some((m) => (packages.get(m) ?? []).some((p) => p.startsWith('@tensorflow/')))).toBe(true);
  });

  test('package.json maps deltastn/theory to this module\'s build output', async () => {
    const pkg = JSON.parse((await import('node:fs')).readFileSync('package.json', 'utf8')) as { exports: Record<string, { default: string; types: string }> };
    expect(pkg.exports['./theory']).toEqual({ types: './dist/src/theoryEntry.d.ts', default: './dist/src/theoryEntry.js' });
  });

  test('it loads and computes: a certified κ and a claim check', async () => {
    const entry = await import('../../src/theoryEntry.js');
    const { kappa } = entry.certifiedConditionNumber(entry.rationalMatrix([[2, 1], [1, 3]]));
    expect(entry.toNumber(kappa.lo) <= entry.toNumber(kappa.hi)).toBe(true);
    expect(entry.claimIds()).toEqual(expect.arrayContaining(['OBS-1', 'OBS-2', 'THM-3', 'APP-E', 'LIN']));
  });
});
