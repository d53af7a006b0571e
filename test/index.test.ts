import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as api from '../src/index.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('public API (src/index.ts, src/node.ts)', () => {
  test('the Node entry adds the datasets, checkpoints and tune', async () => {
    const node = await import('../src/node.js');
    for (const name of ['loadMnist', 'loadFashionMnist', 'loadCifar10', 'saveCheckpoint', 'loadCheckpoint', 'runTune', 'Trainer', 'StnDense', 'HyperSpace', 'claims'] as const) {
      expect(typeof (node as Record<string, unknown>)[name]).not.toBe('undefined');
    }
  });

  test('exposes the kernel, the claims and the engine', () => {
    expect(api.claims.map((c) => c.id)).toEqual(['OBS-1', 'OBS-2', 'THM-3', 'APP-E', 'LIN']);
    for (const name of ['certifiedConditionNumber', 'gaussHermite', 'kron', 'vec', 'conjugateGradient', 'runClaim', 'conditioningReport', 'bestResponse', 'ift', 'unrolled', 'hypernetwork', 'runDriver', 'ridgeProblem', 'lineChart', 'summarizeArchSearch', 'archSearchTableRows', 'edgeSoftmax', 'randomTrials', 'formatAccuracy'] as const) {
      expect(typeof (api as Record<string, unknown>)[name]).toBe('function');
    }
  });

  test('browser-safe: nothing outside the Node-only files (cli, data, node.ts, state files, checkpoints, the study runners and store, the report pages) imports a node: module', () => {
    const nodeOnly = [
      join('src', 'cli'),
      join('src', 'data'),
      join('src', 'node.ts'),
      join('src', 'stateFiles.ts'),
      join('src', 'nn', 'checkpoint.ts'),
      join('src', 'tune', 'study.ts'),
      join('src', 'tune', 'archSearch.ts'),
      join('src', 'tune', 'studyThread.ts'),
      join('src', 'tune', 'studyWorker.ts'),
      join('src', 'tune', 'studyPlots.ts'),
      join('src', 'tune', 'store'),
      join('src', 'tune', 'pool.ts'),
      join('src', 'tune', 'archWorker.ts'),
      join('src', 'tune', 'reports.ts'),
    ];
    const offenders = sources('src')
      .filter((p) => !nodeOnly.some((n) => p.startsWith(n)))
      .filter((p) => /from ['"]node:|require\(['"]node:/.test(readFileSync(p, 'utf8')));
    expect(offenders).toEqual([]);
  });

  test('the README example values (PT-8 (docs/math.md#pt-8)) hold', () => {
    const problem = api.ridgeProblem({ Xtrain: [[1, 0], [0, 2], [1, 1]], ytrain: [1, 2, 3], Xval: [[2, 1], [1, -1]], yval: [2, 0.5] });
    expect(api.ift().hypergradient(problem, [0]).hypergradient[0]).toBeCloseTo(-0.0103550296, 10);
    expect(api.hypernetwork('delta-stn', { scale: [0.5] }).hypergradient(problem, [0]).hypergradient[0]).toBeCloseTo(-0.0177895038, 10);
  });
});
