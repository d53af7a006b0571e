/**
 * Links into the project's mathematical reference, docs/math.md (issue 12), cannot break.
 *
 * Four rules, each checked on the files as they are now:
 * 1. every `docs/math.md#<id>` written anywhere under src/, proofs/, test/, notebooks/, bench/, bin/ or in README.md
 *    names an anchor that exists in docs/math.md (an `id="<id>"`);
 * 2. every spec section the code still cites as "spec §X.Y" has its anchor `sX-Y` (the numbering of
 *    docs/math.md#s0 is the spec's), so the planned mechanical rewrite "spec §X.Y" → "docs/math.md#sX-Y" cannot
 *    produce a broken link. The section number ends at the last digit: "spec §3.4." cites 3.4, and a list or range
 *    on the same line ("spec §3.1–§3.3, §4.2") cites every section in it;
 * 3. every property test named anywhere as "PT-N" has its anchor `pt-N` (so "§6 PT-N" can become docs/math.md#pt-N);
 * 4. docs/math.md itself is whole: the fixed anchor scheme (every numbered spec section, pt-1 … pt-15, the five
 *    claims) is present, no id is defined twice, its own `](#id)` links resolve, its table of contents lists
 *    every anchor, and every repository path it names exists.
 *
 * The scanners are plain functions, and the first describe block shows on made-up text that they report a bad
 * anchor, so a green run means the files passed, not that nothing was looked at.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MATH = join(ROOT, 'docs', 'math.md');
/** This file: its made-up examples (a bad anchor, "spec §10") are not citations. */
const SELF = fileURLToPath(import.meta.url);

/** The directories and files the citations live in (the list). */
const SCANNED = ['src', 'proofs', 'test', 'notebooks', 'bench', 'bin', 'README.md'];
/** Build outputs and installed packages are not sources. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'out', '.native']);
const TEXT_FILE = /\.(ts|js|mjs|cjs|md|html|sh|json)$/;

/**
 * Every numbered section of the spec (its headings §0 … §9, and the six numbered implementation notes of §8,
 * which the code cites as §8.1 … §8.6). The anchor of §X.Y is `sX-Y`.
 */
const SPEC_SECTIONS = [
  '0', '0.1',
  '1', '1.1', '1.2', '1.3', '1.4', '1.5',
  '2', '2.1', '2.2', '2.3', '2.4',
  '3', '3.1', '3.2', '3.3', '3.4', '3.5', '3.6',
  '4', '4.1', '4.2', '4.3',
  '5', '5.1', '5.2',
  '6', '7',
  '8', '8.1', '8.2', '8.3', '8.4', '8.5', '8.6',
  '9',
];
const CLAIM_ANCHORS = ['obs-1', 'obs-2', 'thm-3', 'app-e', 'lin'];
const PT_ANCHORS = Array.from({ length: 15 }, (_, i) => `pt-${i + 1}`);

/** The anchor id of spec section "4.3" is "s4-3". */
export function sectionAnchor(section: string): string {
  return `s${section.replace(/\./g, '-')}`;
}

/** The ids a Markdown/HTML text defines (`id="…"`, the form `<a id="s4-3"></a>` uses). */
export function definedIds(text: string): string[] {
  return [...text.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
}

/** The fragment ids of every `docs/math.md#<id>` in a text. */
export function mathLinkIds(text: string): string[] {
  return [...text.matchAll(/docs\/math\.md#([A-Za-z0-9_-]+)/g)].map((m) => m[1]);
}

/**
 * The spec sections a text cites: after each word "spec" (any case; "spec §4.2", "spec (§6 PT-2)",
 * "spec: §4.3"), every `§N(.N)*` on the rest of that line, up to the first other Markdown file named on the line
 * ("ecosystem.md §2" is another document's section). A number ends at its last digit, so "spec §3.4." is 3.4.
 */
export function citedSpecSections(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    for (const m of line.matchAll(/\bspec\b(?![-/.\w])/gi)) {
      let rest = line.slice(m.index + m[0].length);
      const other = rest.search(/[\w./-]+\.md\b/);
      if (other >= 0) rest = rest.slice(0, other);
      // Only a citation if a § follows the word closely ("spec §", "spec (§", "spec: §", "Spec §").
      if (!/^[\s:(]{0,3}§/.test(rest)) continue;
      for (const s of rest.matchAll(/§\s?(\d+(?:\.\d+)*)/g)) out.push(s[1]);
    }
  }
  return out;
}

/** The strict form the mechanical rewrite will match: "spec §X.Y" (the number ends at its last digit). */
export function strictSpecCitations(text: string): string[] {
  return [...text.matchAll(/spec §(\d+(?:\.\d+)*)/g)].map((m) => m[1]);
}

/** The property tests a text names ("PT-7", "PT-1..PT-4", "PT-1 … PT-4"): each becomes docs/math.md#pt-N. */
export function propertyTestIds(text: string): string[] {
  return [...text.matchAll(/\bPT-(\d+)\b/g)].map((m) => `pt-${m[1]}`);
}

/** For each item, the places (file:line) where it is missing from `ids`. */
export function missing(found: Map<string, string[]>, ids: ReadonlySet<string>): string[] {
  const bad: string[] = [];
  for (const [id, where] of found) if (!ids.has(id)) bad.push(`${id} (${where.slice(0, 3).join(', ')}${where.length > 3 ? ', …' : ''})`);
  return bad.sort();
}

function walk(path: string, files: string[]): void {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return;
  if (st.isFile()) {
    if (TEXT_FILE.test(path)) files.push(path);
    return;
  }
  if (!st.isDirectory()) return;
  for (const name of readdirSync(path)) {
    if (SKIPPED_DIRS.has(name) || name.startsWith('.')) continue;
    walk(join(path, name), files);
  }
}

/** Collect `extract(text)` over the scanned files, keyed by item, with file:line of each occurrence. */
function collect(extract: (text: string) => string[], mapItem: (item: string) => string = (x) => x): Map<string, string[]> {
  const files: string[] = [];
  for (const p of SCANNED) walk(join(ROOT, p), files);
  const found = new Map<string, string[]>();
  for (const file of files) {
    if (file === SELF) continue;
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const item of extract(line)) {
        const key = mapItem(item);
        const list = found.get(key) ?? [];
        list.push(`${relative(ROOT, file)}:${i + 1}`);
        found.set(key, list);
      }
    });
  }
  return found;
}

describe('the scanners (on made-up text)', () => {
  test('a link to an anchor that does not exist is reported, one that exists is not', () => {
    const doc = '<a id="s4-3"></a>\n### 4.3 Linearization\n<a id="pt-10"></a>\n';
    const ids = new Set(definedIds(doc));
    expect([...ids]).toEqual(['s4-3', 'pt-10']);
    const src = ' * @see docs/math.md#s4-3, docs/math.md#pt-10 and docs/math.md#s4-4 (a bad anchor)';
    const found = new Map(mathLinkIds(src).map((id) => [id, ['x.ts:1']]));
    expect(missing(found, ids)).toEqual(['s4-4 (x.ts:1)']);
  });

  test('spec citations: trailing period, brackets, colon, lists and ranges; other documents excluded', () => {
    expect(citedSpecSections(' * the hypergradient (spec §3.4.')).toEqual(['3.4']);
    expect(citedSpecSections('The spec (§6 PT-2) needs')).toEqual(['6']);
    expect(citedSpecSections('checked against the spec: §4.3 Prop. L (PT-10, PT-11), §4.2 and')).toEqual(['4.3', '4.2']);
    expect(citedSpecSections('(spec §1.1–§1.2)')).toEqual(['1.1', '1.2']);
    expect(citedSpecSections('Spec §2.4 S1: quadratic')).toEqual(['2.4']);
    expect(citedSpecSections('spec §3.1–§3.3, §4.2, §4.3, §6 PT-6,')).toEqual(['3.1', '3.3', '4.2', '4.3', '6']);
    expect(citedSpecSections('spec §8.5; see shared/notes/ecosystem.md §2')).toEqual(['8.5']);
    expect(citedSpecSections('the spec says so; Higham §3.1')).toEqual([]);
    expect(citedSpecSections('a spec-compliant §7 clause, spec.ts §2')).toEqual([]);
    expect(strictSpecCitations('spec §3.4. and spec §10 and spec §4')).toEqual(['3.4', '10', '4']);
    expect(sectionAnchor('8.5')).toBe('s8-5');
    expect(sectionAnchor('0')).toBe('s0');
    expect(propertyTestIds('spec §6 PT-1..PT-4, PT-10 and PT-16')).toEqual(['pt-1', 'pt-4', 'pt-10', 'pt-16']);
  });
});

describe('docs/math.md', () => {
  const text = readFileSync(MATH, 'utf8');
  const idList = definedIds(text);
  const ids = new Set(idList);

  test('has the fixed anchors: every numbered spec section, pt-1 … pt-15 and the five claims', () => {
    const required = [...SPEC_SECTIONS.map(sectionAnchor), ...PT_ANCHORS, ...CLAIM_ANCHORS];
    expect(required.filter((id) => !ids.has(id))).toEqual([]);
  });

  test('defines no id twice', () => {
    const seen = new Set<string>();
    const dup = idList.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
    expect(dup).toEqual([]);
  });

  test('every repository path it names in backticks exists (src/…, test/…, proofs/…, bench/…, bin/…, notebooks/…)', () => {
    const paths = [...text.matchAll(/`((?:src|test|proofs|bench|bin|notebooks)\/[^`\s]+)`/g)].map((m) => m[1]).filter((p) => !/[<{*]/.test(p));
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });

  test('every in-page link #id resolves, and the table of contents lists every anchor', () => {
    const links = [...text.matchAll(/\]\(#([A-Za-z0-9_-]+)\)/g)].map((m) => m[1]);
    expect(links.filter((id) => !ids.has(id))).toEqual([]);
    const toc = text.slice(0, text.search(/<a id="s0"><\/a>/));
    expect(toc.length).toBeGreaterThan(0);
    const listed = new Set([...toc.matchAll(/\]\(#([A-Za-z0-9_-]+)\)/g)].map((m) => m[1]));
    expect(idList.filter((id) => !listed.has(id))).toEqual([]);
  });
});

describe('citations in the repository resolve', () => {
  const ids = new Set(definedIds(readFileSync(MATH, 'utf8')));

  test('every docs/math.md#<id> names an existing anchor', () => {
    expect(missing(collect(mathLinkIds), ids)).toEqual([]);
  });

  test('no "spec §X.Y" citation is left: every citation points into docs/math.md (the spec is not in the repository)', () => {
    const found = collect(strictSpecCitations, sectionAnchor);
    expect([...found.keys()]).toEqual([]);
    // The collector can see one (it is what found the 196 citations the rewrite replaced).
    expect(strictSpecCitations('see spec §4.2 and spec §0.1.')).toEqual(['4.2', '0.1']);
  });

  test('every property test named anywhere (PT-N) has its anchor pt-N', () => {
    const found = collect(propertyTestIds);
    expect(found.size).toBeGreaterThan(0);
    expect(missing(found, ids)).toEqual([]);
  });

  test('every section in a spec citation line (lists, ranges, "spec (§6 …)", "spec: §…") has its anchor', () => {
    const found = collect(citedSpecSections, sectionAnchor);
    expect(missing(found, ids)).toEqual([]);
  });
});
