/**
 * Checkpoints (src/nn/checkpoint.ts): a round trip keeps every float32 bit (−0, subnormals, extremes) and
 * every float64 scalar (λ, s, optimizer moments, bestVal = ∞), `meta` included; saving over a checkpoint
 * replaces it and leaves no temporary files; missing, truncated, corrupt, mixed (a bin from another save)
 * or ill-formed checkpoints throw CheckpointError — never a RangeError/TypeError, never a silent load.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CheckpointError, hasCheckpoint, loadCheckpoint, saveCheckpoint } from '../../src/nn/checkpoint.js';
import type { TrainerState } from '../../src/nn/trainer.js';
import { Rng } from '../../src/rng.js';

const root = mkdtempSync(join(tmpdir(), 'deltastn-ckpt-'));
let dirs = 0;
const freshDir = (): string => join(root, `c${dirs++}`);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function floats(n: number, rng: Rng): Float32Array {
  const a = Float32Array.from({ length: n }, () => rng.normal() * 10 ** rng.int(-30, 30));
  if (n >= 4) {
    a[0] = -0;
    a[1] = 1e-45; // the smallest subnormal
    a[2] = 3.4028234663852886e38; // the largest float32
    a[3] = -1.1754943508222875e-38;
  }
  return a;
}

function sampleState(seed: number): TrainerState {
  const rng = new Rng(seed);
  const sizes = [12, 3, 7, 1, 5];
  return {
    epoch: 3,
    trainSteps: 123,
    hyperSteps: 24,
    lambda: [-2.8903717578961645, 0.1 + 0.2, -1e-300],
    rawScale: [0.5413248546129181, Math.PI, -7.5],
    weights: sizes.map((n) => floats(n, rng)),
    generalMomentum: sizes.slice(0, 2).map((n) => floats(n, rng)),
    responseMomentum: sizes.slice(2).map((n) => floats(n, rng)),
    lambdaOptimizer: { step: 24, first: [0, 1e-9, -3], second: [1e-17, 2, 5e-324] },
    scaleOptimizer: { step: 24, first: [0.1, 0.2, 0.3], second: [4, 5, 6] },
    bestVal: Infinity,
    epochsSinceBest: 2,
    learningRate: 0.002,
  };
}

function bits(a: Float32Array): number[] {
  return Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
}

function expectSameState(a: TrainerState, b: TrainerState): void {
  const { weights: wa, generalMomentum: ga, responseMomentum: ra, ...sa } = a;
  const { weights: wb, generalMomentum: gb, responseMomentum: rb, ...sb } = b;
  expect(sb).toStrictEqual(sa);
  for (const [x, y] of [
    [wa, wb],
    [ga, gb],
    [ra, rb],
  ] as const) {
    expect(y.length).toBe(x.length);
    x.forEach((arr, i) => {
      expect(y[i]).toBeInstanceOf(Float32Array);
      expect(bits(y[i])).toEqual(bits(arr));
    });
  }
}

describe('round trip', () => {
  test('every bit of the arrays and every float64 scalar survives; meta comes back; bestVal = ∞ is kept', () => {
    const dir = freshDir();
    const state = sampleState(1);
    const meta = { model: 'mlp', hparams: { dropout1: 0.1 }, nested: [1, 'two', null] };
    saveCheckpoint(dir, state, meta);
    expect(hasCheckpoint(dir)).toBe(true);
    const back = loadCheckpoint(dir);
    expectSameState(back.state, state);
    expect(back.meta).toStrictEqual(meta);
    expect(back.state.bestVal).toBe(Infinity);
    // A finite bestVal too, and empty momentum lists (a checkpoint before the first step).
    const s2 = { ...sampleState(2), bestVal: 0.123456789012345, generalMomentum: [], responseMomentum: [] };
    saveCheckpoint(dir, s2);
    expectSameState(loadCheckpoint(dir).state, s2);
    expect(loadCheckpoint(dir).meta).toBeNull();
  });

  test('saving again replaces the checkpoint and leaves no temporary files', () => {
    const dir = freshDir();
    saveCheckpoint(dir, sampleState(3));
    const later = { ...sampleState(4), epoch: 4 };
    saveCheckpoint(dir, later);
    expectSameState(loadCheckpoint(dir).state, later);
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.bin', 'checkpoint.json']);
  });
});

describe('bad checkpoints throw CheckpointError', () => {
  const expectCheckpointError = (dir: string, pattern?: RegExp): void => {
    let caught: unknown;
    try {
      loadCheckpoint(dir);
    } catch (e) {
      caught = e;
    }
    expect(caught, 'loadCheckpoint should throw').toBeInstanceOf(CheckpointError);
    if (pattern) expect((caught as Error).message).toMatch(pattern);
  };

  const saved = (): string => {
    const dir = freshDir();
    saveCheckpoint(dir, sampleState(5), { k: 1 });
    return dir;
  };

  test('missing directory, missing bin, missing json', () => {
    expectCheckpointError(join(root, 'does-not-exist'), /no checkpoint/);
    const a = saved();
    rmSync(join(a, 'checkpoint.bin'));
    expect(hasCheckpoint(a)).toBe(false);
    expectCheckpointError(a, /no checkpoint/);
    const b = saved();
    rmSync(join(b, 'checkpoint.json'));
    expectCheckpointError(b, /no checkpoint/);
  });

  test('truncated bin: by a whole float and by one byte (not a multiple of 4)', () => {
    for (const cut of [4, 1, 3]) {
      const dir = saved();
      const bin = readFileSync(join(dir, 'checkpoint.bin'));
      writeFileSync(join(dir, 'checkpoint.bin'), bin.subarray(0, bin.length - cut));
      expectCheckpointError(dir, /checkpoint\.(bin|json)/);
    }
  });

  test('a version-1 checkpoint (checksum of the bin only, the previous release) still loads; without its checksum, or a version 2 without its digest, it does not', () => {
    const dir = saved();
    const manifest = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as Record<string, unknown>;
    const bin = readFileSync(join(dir, 'checkpoint.bin'));
    const { digest: _digest, ...rest } = manifest;
    const v1 = { ...rest, version: 1, checksum: createHash('sha256').update(bin).digest('hex') };
    writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify(v1));
    expectSameState(loadCheckpoint(dir).state, sampleState(5));
    expect(loadCheckpoint(dir).meta).toStrictEqual({ k: 1 });
    const { checksum: _checksum, ...unchecked } = v1;
    writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify(unchecked));
    expectCheckpointError(dir, /checksum/);
    writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify(rest));
    expectCheckpointError(dir, /digest/);
  });

  test('an edited field of checkpoint.json (λ, the epoch, meta) fails the digest: the digest covers the whole checkpoint', () => {
    for (const edit of [
      (m: { state: Record<string, unknown>; meta: unknown }) => {
        (m.state.lambda as number[])[0] += 1e-12;
      },
      (m: { state: Record<string, unknown>; meta: unknown }) => {
        m.state.epoch = 99;
      },
      (m: { state: Record<string, unknown>; meta: unknown }) => {
        m.meta = { k: 2 };
      },
      (m: { state: Record<string, unknown>; meta: unknown }) => {
        m.meta = null;
      },
    ]) {
      const dir = saved();
      const manifest = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as { state: Record<string, unknown>; meta: unknown };
      edit(manifest);
      writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify(manifest));
      expectCheckpointError(dir, /digest/);
    }
  });

  test('a directory in place of checkpoint.bin or checkpoint.json is a CheckpointError, not EISDIR', () => {
    for (const f of ['checkpoint.bin', 'checkpoint.json']) {
      const dir = saved();
      rmSync(join(dir, f));
      mkdirSync(join(dir, f));
      expect(hasCheckpoint(dir)).toBe(false);
      expectCheckpointError(dir, /regular file/);
    }
  });

  test('a save killed between its two renames rolls forward: the new bin with the complete new json left under its temporary name', () => {
    const dir = saved();
    const later = { ...sampleState(8), epoch: 6 };
    const other = freshDir();
    saveCheckpoint(other, later, { k: 2 });
    // What the kill leaves: the new bin renamed into place, the new json still checkpoint.json.tmp.
    writeFileSync(join(dir, 'checkpoint.bin'), readFileSync(join(other, 'checkpoint.bin')));
    writeFileSync(join(dir, 'checkpoint.json.tmp'), readFileSync(join(other, 'checkpoint.json')));
    const back = loadCheckpoint(dir);
    expectSameState(back.state, later);
    expect(back.meta).toStrictEqual({ k: 2 });
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.bin', 'checkpoint.json']);
    // A json.tmp that does not match the bin is not used.
    const d2 = saved();
    writeFileSync(join(d2, 'checkpoint.bin'), readFileSync(join(other, 'checkpoint.bin')));
    writeFileSync(join(d2, 'checkpoint.json.tmp'), readFileSync(join(d2, 'checkpoint.json')));
    expectCheckpointError(d2, /digest/);
  });

  test('fields outside the schema, and moments of the wrong length, are rejected by name', () => {
    const dir = saved();
    const manifest = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as Record<string, unknown> & { state: Record<string, unknown> };
    const cases: [(m: typeof manifest) => void, RegExp][] = [
      [(m) => (m.extra = 1), /extra/],
      [(m) => (m.state.surprise = 1), /state\.surprise/],
      [(m) => (m.state.rawScale = [1]), /state\.rawScale/],
      [(m) => (m.state.scaleOptimizer = { step: 1, first: [1], second: [1, 2, 3] }), /state\.scaleOptimizer/],
    ];
    for (const [edit, pattern] of cases) {
      const copy = structuredClone(manifest);
      edit(copy);
      writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify(copy));
      expectCheckpointError(dir, pattern);
    }
  });

  test('unreadable or ill-formed checkpoint.json', () => {
    const bad: [string, RegExp][] = [
      ['{"version": 1, "state": ', /checkpoint\.json/],
      ['null', /./],
      ['{}', /version/],
      ['{"version": 3}', /version/],
      ['{"version": 1}', /./],
      ['{"version": 1, "state": {}, "layout": {"weights": [1, "x"], "generalMomentum": [], "responseMomentum": []}}', /./],
      ['{"version": 1, "state": {}, "layout": {"weights": [-4, 4], "generalMomentum": [], "responseMomentum": []}}', /./],
    ];
    for (const [text, pattern] of bad) {
      const dir = saved();
      writeFileSync(join(dir, 'checkpoint.json'), text);
      expectCheckpointError(dir, pattern);
    }
  });

  test('a state with missing or mistyped fields', () => {
    const dir = saved();
    const manifest = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as { state: Record<string, unknown> };
    for (const [field, value] of [
      ['lambda', 'nope'],
      ['rawScale', [1, 'x', 3]],
      ['epoch', -1],
      ['trainSteps', 1.5],
      ['learningRate', null],
      ['lambdaOptimizer', null],
    ] as const) {
      const copy = structuredClone(manifest);
      copy.state[field] = value;
      writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify(copy));
      expectCheckpointError(dir, new RegExp(field));
    }
  });

  test('a flipped bit in the bin, and a bin from another save next to this json, are detected', () => {
    const dir = saved();
    const bin = readFileSync(join(dir, 'checkpoint.bin'));
    bin[17] ^= 0x10;
    writeFileSync(join(dir, 'checkpoint.bin'), bin);
    expectCheckpointError(dir, /digest/);
    // Same layout, different numbers: what a crash between the two renames of saveCheckpoint would leave.
    const a = freshDir();
    const b = freshDir();
    saveCheckpoint(a, sampleState(6));
    saveCheckpoint(b, { ...sampleState(7), epoch: 9 });
    writeFileSync(join(a, 'checkpoint.bin'), readFileSync(join(b, 'checkpoint.bin')));
    expectCheckpointError(a, /digest/);
    expect(existsSync(join(a, 'checkpoint.json'))).toBe(true);
  });
});
