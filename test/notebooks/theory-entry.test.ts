/**
 * The notebooks that compute no network import the library's `deltastn/theory` entry (src/theoryEntry.ts, which
 * never loads TensorFlow.js; test/house/entries.test.ts checks that over its import graph), not the index:
 * every name they import from it exists there, and none imports the index. The browser test checks the
 * outcome in the page: no notebook loads a script that carries TensorFlow.js.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import * as theory from '../../src/theoryEntry.js';

const NOTEBOOKS = fileURLToPath(new URL('../../notebooks', import.meta.url));
const pages = (): { file: string; html: string }[] =>
  readdirSync(NOTEBOOKS)
    .filter((f) => f.endsWith('.html'))
    .map((file) => ({ file, html: readFileSync(join(NOTEBOOKS, file), 'utf8') }));

/** The names a page imports from `from` (`import {a, b as c} from "<from>"`). */
function importedNames(html: string, from: string): string[] {
  const escaped = from.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return [...html.matchAll(new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*"${escaped}"`, 'g'))].flatMap((m) =>
    m[1]
      .split(',')
      .map((s) => s.trim().split(/\s+as\s+/)[0])
      .filter((s) => s.length > 0),
  );
}

describe('the notebooks import the library without TensorFlow.js', () => {
  test('every name a notebook imports from src/theoryEntry.ts is exported there', () => {
    let importing = 0;
    for (const { file, html } of pages()) {
      const names = importedNames(html, '../src/theoryEntry.ts');
      if (names.length > 0) importing++;
      for (const n of names) expect(Object.hasOwn(theory, n), `${file} imports ${n}`).toBe(true);
    }
    // The five claims and the five toys.
    expect(importing).toBe(10);
  });

  test('no notebook imports the index (it would load TensorFlow.js)', () => {
    for (const { file, html } of pages()) expect(html, file).not.toMatch(/from\s*"[./]*\/src\/index(\.ts|\.js)?"/);
  });
});
