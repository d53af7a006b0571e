import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { claims } from '../../src/theory/registry.js';
import { runCli, runCompiled } from '../helpers.js';

/** Runs the CLI in-process and captures stdout, stderr and the exit code. */
const run = runCli;

const dir = mkdtempSync(join(tmpdir(), 'deltastn-cli-'));
function input(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

describe('deltastn verify', () => {
  test('the registry lists the five claims of docs/math.md#s0-1, each with a proof file', () => {
    expect(claims.map((c) => c.id)).toEqual(['OBS-1', 'OBS-2', 'THM-3', 'APP-E', 'LIN']);
    for (const c of claims) expect(existsSync(c.proof) || existsSync(join('proofs', `${c.id}.md`))).toBe(true);
  });

  test('prints a table with every claim holding and exits 0', async () => {
    const r = await run('verify', '--runs', '5', '--seed', '3');
    expect(r.code).toBe(0);
    for (const id of ['OBS-1', 'OBS-2', 'THM-3', 'APP-E', 'LIN']) expect(r.out).toMatch(new RegExp(`^${id}\\s.*holds$`, 'm'));
    expect(r.out).toContain('5/5 claims hold');
  });

  test('--json with --claim selects claims and is deterministic for a seed', async () => {
    const a = JSON.parse((await run('verify', '--claim', 'THM-3', '--claim', 'obs-1', '--runs', '4', '--seed', '7', '--json')).out);
    const b = JSON.parse((await run('verify', '--claim', 'THM-3,OBS-1', '--runs', '4', '--seed', '7', '--json')).out);
    expect(a.claims.map((c: { id: string }) => c.id)).toEqual(['THM-3', 'OBS-1']);
    expect(a.allHold).toBe(true);
    const strip = (x: { claims: { checks: unknown; id: string }[] }): unknown => x.claims.map((c) => [c.id, c.checks]);
    expect(strip(a)).toEqual(strip(b));
  });

  test('an unknown claim is bad input: exit 2, nothing on stdout, the message names --claim', async () => {
    const r = await run('verify', '--claim', 'OBS-9');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('--claim');
  });

  test('--runs must be a non-negative integer', async () => {
    const r = await run('verify', '--runs', '-3');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--runs');
  });

  test('--log writes one JSON line per claim', async () => {
    const log = join(dir, 'verify.jsonl');
    await run('verify', '--claim', 'LIN', '--runs', '2', '--log', log);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]).id).toBe('LIN');
  });
});

describe('deltastn theory', () => {
  test('best-response returns exact rational strings', async () => {
    const path = input('br.json', { A: [[2, 1], [1, 3]], B: [[1], ['1/2']], b: [1, 0], lambda0: ['1/3'] });
    const r = await run('theory', 'best-response', '--input', path);
    expect(r.code).toBe(0);
    // w* = A⁻¹(b + Bλ0) = A⁻¹(4/3, 1/6) = (23/30, −1/5); J* = A⁻¹B = (1/2, 0).
    expect(JSON.parse(r.out)).toEqual({ w: ['23/30', '-1/5'], J: [['1/2'], ['0']] });
  });

  test('conditioning reproduces PT-2 (docs/math.md#pt-2) with certified intervals that contain the floats', async () => {
    const path = input('cond.json', { G: [[2, 1], [1, 3]], lambdaBar: [-2, 1], sigma: [1, '1/2'] });
    const r = await run('theory', 'conditioning', '--input', path);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    expect(o.kappaMUncentered).toBeCloseTo(77.5358093069, 9);
    expect(o.kappaUncentered).toBeCloseTo(202.9913841108, 9);
    expect(o.kappaMCentered).toBe(4);
    for (const key of ['kappaG', 'kappaMUncentered', 'kappaMCentered', 'kappaUncentered', 'kappaCentered']) {
      expect(o.certified[key].lo).toBeLessThanOrEqual(o[key] * (1 + 1e-12));
      expect(o.certified[key].hi).toBeGreaterThanOrEqual(o[key] * (1 - 1e-12));
    }
  });

  test('thm3 gives Θ = J* and decides convergence exactly', async () => {
    const base = { A: [[2, 1], [1, 3]], B: [[1], ['1/2']], b: [1, 0], lambda0: ['1/3'], sigma: ['1/2'] };
    const ok = JSON.parse((await run('theory', 'thm3', '--input', input('t1.json', { ...base, eta: '1/2' }))).out);
    expect(ok.Theta).toEqual([['1/2'], ['0']]);
    expect(ok.converges).toBe(true);
    // λmax(Σ⊗A) = (5 + √5)/2 · 1/4 ≈ 0.9045, so η = 3 > 2/λmax ≈ 2.211 diverges.
    const bad = JSON.parse((await run('theory', 'thm3', '--input', input('t2.json', { ...base, eta: 3 }))).out);
    expect(bad.converges).toBe(false);
    expect(bad.rate).toBeGreaterThan(1);
  });

  const badInputs: [string, string, unknown, string][] = [
    ['non-PD A', 'best-response', { A: [[2, 1], [1, -3]], B: [[1], [0]], b: [1, 0], lambda0: [0] }, 'A'],
    ['non-symmetric A', 'best-response', { A: [[2, 1], [0, 3]], B: [[1], [0]], b: [1, 0], lambda0: [0] }, 'A'],
    ['wrong shape of B', 'best-response', { A: [[2, 1], [1, 3]], B: [[1]], b: [1, 0], lambda0: [0] }, 'B'],
    ['unparsable rational', 'best-response', { A: [[2, 1], [1, 3]], B: [[1], ['x/2']], b: [1, 0], lambda0: [0] }, 'B'],
    ['σ ≤ 0', 'conditioning', { G: [[2, 1], [1, 3]], lambdaBar: [0], sigma: [0] }, 'sigma'],
    ['non-PD G', 'conditioning', { G: [[1, 2], [2, 1]], lambdaBar: [0], sigma: [1] }, 'G'],
    ['η ≤ 0', 'thm3', { A: [[2]], B: [[1]], b: [1], lambda0: [0], sigma: [1], eta: -1 }, 'eta'],
  ];
  test.each(badInputs)('%s: exit 2, nothing on stdout, the message names the field', async (_label, routine, value, field) => {
    const r = await run('theory', routine, '--input', input(`bad-${routine}.json`, value));
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(field);
  });

  test('unparsable JSON and a missing file are bad input', async () => {
    const r1 = await run('theory', 'best-response', '--input', input('broken.json', '{"A": [[1'));
    expect(r1.code).toBe(2);
    expect(r1.err).toContain('--input');
    const r2 = await run('theory', 'best-response', '--input', join(dir, 'does-not-exist.json'));
    expect(r2.code).toBe(2);
    expect(r2.out).toBe('');
  });

  test('NaN cannot be written in JSON, but a non-number entry is rejected by name', async () => {
    const r = await run('theory', 'conditioning', '--input', input('nan.json', { G: [[2, null], [1, 3]], lambdaBar: [0], sigma: [1] }));
    expect(r.code).toBe(2);
    expect(r.err).toContain('G');
  });

  test('an unknown routine names `routine`', async () => {
    const r = await run('theory', 'eigs', '--input', '-');
    expect(r.code).toBe(2);
    expect(r.err).toContain('routine');
  });
});

describe('deltastn toy', () => {
  test('ridge writes JSON and SVG, and Δ-STN (σ = 0.05) lands within 1e-3 of λ*', async () => {
    const out = join(dir, 'toy');
    const r = await run('toy', 'ridge', '--method', 'delta-stn', '--method', 'ift-dense', '--sigma', '0.05', '--out', out);
    expect(r.code).toBe(0);
    const data = JSON.parse(readFileSync(join(out, 'ridge.json'), 'utf8'));
    expect(data.lambdaStar).toBeCloseTo(0.0272721579, 9);
    const delta = data.methods.find((m: { method: string }) => m.method === 'delta-stn');
    expect(Math.abs(delta.finalLambda - data.lambdaStar)).toBeLessThan(1e-3);
    expect(readFileSync(join(out, 'ridge.svg'), 'utf8')).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  test('ridge on a user data file (seeded synthetic regression) also finds λ* with Δ-STN', async () => {
    // y = X w_true + noise, with a deterministic pseudo-random design (no Math.random).
    let s = 12345;
    const u = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    const wTrue = [1, -0.5, 0.25];
    const make = (n: number): [number[][], number[]] => {
      const X = Array.from({ length: n }, () => [u(), u(), u()]);
      return [X, X.map((row) => row.reduce((acc, x, j) => acc + x * wTrue[j], 0) + 0.8 * u())];
    };
    const [Xtrain, ytrain] = make(12);
    const [Xval, yval] = make(30);
    const path = input('user-data.json', { Xtrain, ytrain, Xval, yval });
    const out = join(dir, 'toy-user');
    const r = await run('toy', 'ridge', '--data', path, '--method', 'delta-stn', '--sigma', '0.05', '--out', out, '--json');
    expect(r.code).toBe(0);
    const data = JSON.parse(r.out);
    const delta = data.methods[0];
    expect(delta.converged).toBe(true);
    expect(Math.abs(delta.finalLambda - data.lambdaStar)).toBeLessThan(1e-3);
  });

  test('a bad --data file and an unknown method are bad input', async () => {
    const r1 = await run('toy', 'ridge', '--data', input('bad-data.json', { Xtrain: [[1, 2]], ytrain: [1], Xval: [[1]], yval: [1] }), '--out', dir);
    expect(r1.code).toBe(2);
    expect(r1.err).toContain('Xval');
    const r2 = await run('toy', 'ridge', '--method', 'bayesopt', '--out', dir);
    expect(r2.code).toBe(2);
    expect(r2.err).toContain('--method');
    const r3 = await run('toy', 'ridge', '--sigma', '0', '--out', dir);
    expect(r3.code).toBe(2);
    expect(r3.err).toContain('--sigma');
  });
});

describe('the installed command (bin/deltastn.js over dist/, built by `npm run build`)', () => {
  const built = existsSync('dist/src/cli/main.js');
  test.skipIf(!built)('exit code 2 and an empty stdout for bad input, across a real process', async () => {
    // The two processes at once (each spends most of its time loading the command).
    const [r, ok] = await Promise.all([runCompiled(['theory', 'conditioning', '--input', '-'], '{"G": [[1]], "lambdaBar": [0], "sigma": [-1]}'), runCompiled(['verify', '--runs', '2', '--claim', 'THM-3'])]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('sigma');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('1/1 claims hold');
  });
});
