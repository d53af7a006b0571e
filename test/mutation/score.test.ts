// .ci/mutation-score.mjs, the CI step's scorer (README, "Mutation testing"; docs/math.md does not cover it): the score
// per file and in total, the equivalent-mutant list, the threshold and the exit codes, on hand-made Stryker reports.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'mutation-score-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Status = 'Killed' | 'Timeout' | 'Survived' | 'NoCoverage' | 'CompileError' | 'RuntimeError' | 'Ignored';
const mutant = (id: number, line: number, status: Status, mutatorName = 'ArithmeticOperator', replacement = 'a - b') => ({ id: String(id), mutatorName, replacement, status, location: { start: { line, column: 3 }, end: { line, column: 8 } } });

/** src/a.ts: 3 killed, 1 timeout, 1 survived (line 2), 1 no coverage (line 3), 1 compile error; src/b.ts: 1 killed, 1 survived (line 1). */
const report = {
  files: {
    'src/a.ts': {
      source: 'const x = a + b;\n  return a * b;\nif (a > b) y();\n',
      mutants: [mutant(1, 1, 'Killed'), mutant(2, 1, 'Killed'), mutant(3, 1, 'Killed'), mutant(4, 1, 'Timeout'), mutant(5, 2, 'Survived', 'ArithmeticOperator', 'a / b'), mutant(6, 3, 'NoCoverage', 'EqualityOperator', 'a >= b'), mutant(7, 1, 'CompileError')],
    },
    'src/b.ts': { source: 'let z = 1;\n', mutants: [mutant(8, 1, 'Killed'), mutant(9, 1, 'Survived', 'UpdateOperator', 'z--')] },
  },
};

function run(equivalents: unknown[] | null, args: string[] = []): { code: number; out: string } {
  const reportFile = join(dir, 'report.json');
  const eqFile = join(dir, `eq-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(reportFile, JSON.stringify(report));
  if (equivalents !== null) writeFileSync(eqFile, JSON.stringify({ mutants: equivalents }));
  try {
    const out = execFileSync(process.execPath, ['.ci/mutation-score.mjs', '--report', reportFile, '--equivalent', eqFile, ...args], { encoding: 'utf8', stdio: 'pipe' });
    return { code: 0, out };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, out: err.stdout + err.stderr };
  }
}

const row = (out: string, file: string): string[] => {
  const line = out.split('\n').find((l) => l.startsWith(file + ' ') || l.startsWith(file + '|'));
  if (line === undefined) throw new Error(`no row for ${file} in\n${out}`);
  return line.split('|').map((c) => c.trim());
};

describe('.ci/mutation-score.mjs', () => {
  test('score = (killed + timeout) / (killed + timeout + survived + no coverage), per file and in total; invalid mutants not counted', () => {
    const { code, out } = run(null, ['--threshold', '0']);
    expect(code).toBe(0);
    // a.ts: 4 detected of 6 valid; b.ts: 1 of 2; total 5 of 8.
    expect(row(out, 'src/a.ts')).toEqual(['src/a.ts', '66.67', '7', '3', '1', '1', '1', '0', '1']);
    expect(row(out, 'src/b.ts')).toEqual(['src/b.ts', '50.00', '2', '1', '0', '1', '0', '0', '0']);
    expect(row(out, 'All files')).toEqual(['All files', '62.50', '9', '4', '1', '2', '1', '0', '1']);
    expect(out).toContain('src/a.ts:2:3 Survived ArithmeticOperator → "a / b"');
    expect(out).toContain('src/a.ts:3:3 NoCoverage EqualityOperator → "a >= b"');
  });

  test('a listed equivalent leaves the count; matching is by file, mutator, replacement and the trimmed line', () => {
    const eq = { file: 'src/a.ts', mutator: 'ArithmeticOperator', replacement: 'a / b', line: 'return a * b;', reason: 'test fixture' };
    const { out } = run([eq], ['--threshold', '0']);
    expect(row(out, 'src/a.ts')).toEqual(['src/a.ts', '80.00', '7', '3', '1', '0', '1', '1', '1']);
    expect(row(out, 'All files')[1]).toBe('71.43'); // 5 of 7
    expect(out).not.toContain('src/a.ts:2:3 Survived');
    // Another replacement, another line or another file: no match, the mutant counts, the entry is reported stale.
    for (const wrong of [{ ...eq, replacement: 'a + b' }, { ...eq, line: 'return a*b;' }, { ...eq, file: 'src/b.ts' }]) {
      const r = run([wrong], ['--threshold', '0']);
      expect(row(r.out, 'src/a.ts')[1]).toBe('66.67');
      expect(r.out).toContain('note: equivalent entry matches no mutant');
    }
  });

  test('an entry for a file that no report holds (measured locally, not in CI yet) is not reported stale', () => {
    const { out } = run([{ file: 'src/c.ts', mutator: 'X', replacement: 'y', line: 'z', reason: 'measured locally' }], ['--threshold', '0']);
    expect(out).not.toContain('note: equivalent entry matches no mutant');
    expect(row(out, 'All files')[1]).toBe('62.50');
  });

  test('`original` (optional) tells apart two mutants of one line with the same mutator and replacement', () => {
    // b.ts's survivor (mutant 9) spans columns 3–8 of 'let z = 1;': it replaces "t z =" (the fixture's locations are arbitrary).
    const eq = { file: 'src/b.ts', mutator: 'UpdateOperator', replacement: 'z--', line: 'let z = 1;', reason: 'test fixture' };
    expect(row(run([{ ...eq, original: 't z =' }], ['--threshold', '0']).out, 'src/b.ts')).toEqual(['src/b.ts', '100.00', '2', '1', '0', '0', '0', '1', '0']);
    const other = run([{ ...eq, original: 'z' }], ['--threshold', '0']);
    expect(row(other.out, 'src/b.ts')[1]).toBe('50.00');
    expect(other.out).toContain('note: equivalent entry matches no mutant');
    expect(run([{ ...eq, original: 7 }]).out).toContain('entry 0: "original" (optional) must be a string');
  });

  test('an entry that also matches a killed mutant on another line with the same text is not reported while it excuses a survivor', () => {
    const twin = {
      files: {
        'src/t.ts': {
          source: 'for (;;) {}\nfor (;;) {}\n',
          mutants: [mutant(1, 1, 'Killed', 'BlockStatement', '{}'), mutant(2, 2, 'Survived', 'BlockStatement', '{}')],
        },
      },
    };
    const file = join(dir, 'twin.json');
    writeFileSync(file, JSON.stringify(twin));
    const eq = join(dir, 'twin-eq.json');
    writeFileSync(eq, JSON.stringify({ mutants: [{ file: 'src/t.ts', mutator: 'BlockStatement', replacement: '{}', line: 'for (;;) {}', reason: 'test fixture' }] }));
    const out = execFileSync(process.execPath, ['.ci/mutation-score.mjs', '--report', file, '--equivalent', eq, '--threshold', '0'], { encoding: 'utf8' });
    expect(row(out, 'src/t.ts')).toEqual(['src/t.ts', '100.00', '2', '1', '0', '0', '0', '1', '0']);
    expect(out).not.toContain('listed as equivalent but killed');
  });

  test('an entry that matches a killed mutant changes nothing and is reported', () => {
    const { out } = run([{ file: 'src/b.ts', mutator: 'ArithmeticOperator', replacement: 'a - b', line: 'let z = 1;', reason: 'wrong' }], ['--threshold', '0']);
    expect(row(out, 'src/b.ts')[1]).toBe('50.00');
    expect(out).toContain('note: listed as equivalent but killed');
  });

  test('exit 1 under the threshold, 0 at or above it', () => {
    expect(run(null, ['--threshold', '62.5']).code).toBe(0);
    const below = run(null, ['--threshold', '62.6']);
    expect(below.code).toBe(1);
    expect(below.out).toContain('mutation score 62.50% (threshold 62.6%): FAILED');
  });

  test('two reports (the linalg and theory runs): one row per file of either, the total over both; a file in both is an error', () => {
    const [a, b] = [join(dir, 'run-a.json'), join(dir, 'run-b.json')];
    writeFileSync(a, JSON.stringify({ files: { 'src/a.ts': report.files['src/a.ts'] } }));
    writeFileSync(b, JSON.stringify({ files: { 'src/b.ts': report.files['src/b.ts'] } }));
    const script = (args: string[]): { code: number; out: string } => {
      try {
        return { code: 0, out: execFileSync(process.execPath, ['.ci/mutation-score.mjs', '--equivalent', join(dir, 'none.json'), '--threshold', '0', ...args], { encoding: 'utf8', stdio: 'pipe' }) };
      } catch (e) {
        const err = e as { status: number; stdout: string; stderr: string };
        return { code: err.status, out: err.stdout + err.stderr };
      }
    };
    const both = script(['--report', a, '--report', b]);
    expect(both.code).toBe(0);
    // The same rows and total as the one report holding both files.
    expect(row(both.out, 'src/a.ts')).toEqual(['src/a.ts', '66.67', '7', '3', '1', '1', '1', '0', '1']);
    expect(row(both.out, 'src/b.ts')).toEqual(['src/b.ts', '50.00', '2', '1', '0', '1', '0', '0', '0']);
    expect(row(both.out, 'All files')).toEqual(['All files', '62.50', '9', '4', '1', '2', '1', '0', '1']);
    expect(row(script(['--report', b]).out, 'All files')[1]).toBe('50.00');
    const twice = script(['--report', a, '--report', a]);
    expect(twice.code).toBe(2);
    expect(twice.out).toContain('src/a.ts is mutated in two reports');
    const oneMissing = script(['--report', a, '--report', join(dir, 'absent.json')]);
    expect(oneMissing.code).toBe(1);
    expect(oneMissing.out).toContain('absent.json (Stryker did not finish): no score');
  });

  test('no report: exit 1, no score; an entry without a reason or a bad option: an error naming it', () => {
    const missing = (() => {
      try {
        execFileSync(process.execPath, ['.ci/mutation-score.mjs', '--report', join(dir, 'absent.json')], { encoding: 'utf8', stdio: 'pipe' });
        return { code: 0, out: '' };
      } catch (e) {
        const err = e as { status: number; stderr: string };
        return { code: err.status, out: err.stderr };
      }
    })();
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('no score');
    const noReason = run([{ file: 'src/a.ts', mutator: 'X', replacement: 'y', line: 'z', reason: ' ' }]);
    expect(noReason.code).not.toBe(0);
    expect(noReason.out).toContain('entry 0: "reason" must be a non-empty string');
    const badThreshold = run(null, ['--threshold', '120']);
    expect(badThreshold.code).toBe(2);
    expect(badThreshold.out).toContain('--threshold must be a percentage in [0, 100]');
  });
});
