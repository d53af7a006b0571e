/**
 * bin/readme-numbers.js (`npm run readme:numbers`): the README's generated blocks. Run on the library's sources
 * (the script's `main` takes the library as an argument; from the command line it loads dist/), on the cheapest
 * block only (the exact NAS toy, ≈ 1 s): the real README's block is up to date, a fixture README with a stale
 * block fails --check naming it and is rewritten to pass, and malformed markers, unknown blocks and options are
 * exit 2. The other blocks (verify, ridge: ≈ 25 s) are not regenerated here; benchmark blocks never are
 * without --bench.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { nasExperiment } from '../../src/experiments/nas.js';
import { temporaryDirectories } from '../helpers.js';

const tmp = temporaryDirectories();

/** The script's exports this test uses (it is plain JavaScript, imported by path). */
interface ReadmeNumbers {
  main(argv: string[], io: { lib?: unknown; out?: (s: string) => void; err?: (s: string) => void }): Promise<number>;
  findBlocks(text: string): { name: string; content: string }[];
  replaceBlocks(text: string, contents: Map<string, string>): string;
  grouped(n: number): string;
  kappa(x: number): string;
  exp(x: number, digits: number): string;
  fixed(x: number, digits: number): string;
}

const script = new URL('../../bin/readme-numbers.js', import.meta.url).href;
const load = async (): Promise<ReadmeNumbers> => (await import(script)) as ReadmeNumbers;
// Only the NAS block is generated here (the others would need verify, ridge, … and ≈ 25 s).
const lib = { nasExperiment };
const README = join(import.meta.dirname, '../../README.md');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { main } = await load();
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { lib, out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A README holding the NAS block with `content`, text around it, and a bench block that must not run. */
function fixture(content: string): string {
  const path = join(tmp('deltastn-readme-'), 'README.md');
  writeFileSync(path, `# t\n\nbefore\n\n<!-- numbers:toy-nas -->\n${content}\n<!-- /numbers -->\n\nafter\n\n<!-- numbers:bench-linalg -->\nold timings\n<!-- /numbers -->\n`);
  return path;
}

describe('readme-numbers', () => {
  test('the README\u2019s NAS toy block is what the code computes (--check exits 0)', async () => {
    const r = await run('--check', '--only', 'toy-nas', '--readme', README);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('toy-nas: up to date');
  });

  test('a stale block: --check exits 1 naming it and the first differing line, and writes nothing; a run rewrites it; then --check passes', async () => {
    const readme = readFileSync(README, 'utf8');
    const { findBlocks } = await load();
    const current = findBlocks(readme).find((b) => b.name === 'toy-nas')?.content ?? '';
    // The IFT row's distance typed one digit off, as a hand-edited README would be.
    const edited = current.replace(/\| IFT \| (\S+) \| (\S+) \|/, '| IFT | $1 | 2.1e-13 |');
    expect(edited).not.toBe(current);
    const path = fixture(edited);
    const before = readFileSync(path, 'utf8');
    const check = await run('--check', '--readme', path);
    expect(check.code).toBe(1);
    expect(check.err).toContain('1 stale block(s): toy-nas');
    expect(check.out).toContain('README: | IFT |');
    expect(check.out).toContain('bench-linalg: skipped');
    expect(readFileSync(path, 'utf8')).toBe(before);
    const write = await run('--readme', path);
    expect(write.code).toBe(0);
    const after = readFileSync(path, 'utf8');
    // Only the block changed: the text around it and the bench block are as they were.
    expect(after).toBe(before.replace(edited, current));
    expect(after).toContain('<!-- numbers:bench-linalg -->\nold timings\n<!-- /numbers -->');
    expect((await run('--check', '--readme', path)).code).toBe(0);
  });

  test('malformed markers, unknown blocks and bad options are exit 2, naming the line or the option', async () => {
    const dir = tmp('deltastn-readme-bad-');
    const bad = (name: string, text: string): string => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    const cases: [string, RegExp][] = [
      [bad('open.md', 'x\n<!-- numbers:toy-nas -->\n| a |\n'), /line 2: block "toy-nas" is never closed/],
      [bad('close.md', 'x\n<!-- /numbers -->\n'), /line 2: .* without an open block/],
      [bad('nested.md', '<!-- numbers:toy-nas -->\n<!-- numbers:verify -->\n<!-- /numbers -->\n'), /line 2: block "verify" opened inside block "toy-nas"/],
      [bad('twice.md', '<!-- numbers:toy-nas -->\n<!-- /numbers -->\n<!-- numbers:toy-nas -->\n<!-- /numbers -->\n'), /line 3: block "toy-nas" appears twice/],
      [bad('unknown.md', '<!-- numbers:toy-zzz -->\n<!-- /numbers -->\n'), /line 1: unknown block "toy-zzz"/],
    ];
    for (const [path, message] of cases) {
      const r = await run('--check', '--readme', path);
      expect(r.code, path).toBe(2);
      expect(r.err).toMatch(message);
    }
    expect((await run('--only', 'nope')).code).toBe(2);
    expect((await run('--check', '--only', 'verify', '--readme', fixture('x'))).err).toMatch(/no block "verify"/);
    const opt = await run('--frobnicate');
    expect(opt.code).toBe(2);
    expect(opt.err).toContain('unknown option --frobnicate');
    expect((await run('--readme')).err).toContain('--readme needs a value');
  });

  test('an empty block is filled, and replaceBlocks leaves blocks it is not given alone', async () => {
    const { replaceBlocks, findBlocks } = await load();
    const text = 'a\n<!-- numbers:toy-nas -->\n<!-- /numbers -->\nb\n<!-- numbers:verify -->\nold\n<!-- /numbers -->\n';
    expect(findBlocks(text).map((b) => [b.name, b.content])).toEqual([
      ['toy-nas', ''],
      ['verify', 'old'],
    ]);
    expect(replaceBlocks(text, new Map([['toy-nas', 'X\nY']]))).toBe('a\n<!-- numbers:toy-nas -->\nX\nY\n<!-- /numbers -->\nb\n<!-- numbers:verify -->\nold\n<!-- /numbers -->\n');
  });

  test('number formats: grouped thousands, κ, e-notation with an exact zero, the minus sign', async () => {
    const { grouped, kappa, exp, fixed } = await load();
    expect([grouped(16), grouped(7145), grouped(200000), grouped(1625450)]).toEqual(['16', '7 145', '200 000', '1 625 450']);
    expect([kappa(1.7675918792439984), kappa(569.159095647845), kappa(7696.094636258483), kappa(117654.45063968412)]).toEqual(['1.768', '569.2', '7 696', '1.18e5']);
    expect([exp(0, 2), exp(2.0144996781823465e-13, 1), exp(0.2741759816436199, 1)]).toEqual(['0', '2.0e-13', '2.7e-1']);
    expect([fixed(-0.4038813081569129, 10), fixed(0.0272721579, 10)]).toEqual(['−0.4038813082', '0.0272721579']);
  });
});
