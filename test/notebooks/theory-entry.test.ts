/**
 * notebooks/lib/theory.ts, the import path of the notebooks that compute no network, is the library's index
 * without its TensorFlow.js parts: every name it exports is the index's own binding (the same function,
 * constant or namespace object), and it covers every name the notebooks import from it. The browser test
 * checks the other half, that no page loads TensorFlow.js.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import * as index from '../../src/index.js';
import * as theory from '../../notebooks/lib/theory.js';

const NOTEBOOKS = fileURLToPath(new URL('../../notebooks', import.meta.url));

/** The names each notebook imports from ./lib/theory.ts (`import {a, b as c} from "./lib/theory.ts"`). */
function importedNames(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of readdirSync(NOTEBOOKS).filter((f) => f.endsWith('.html'))) {
    const html = readFileSync(join(NOTEBOOKS, file), 'utf8');
    for (const m of html.matchAll(/import\s*\{([^}]*)\}\s*from\s*"\.\/lib\/theory\.ts"/g)) {
      const names = m[1]
        .split(',')
        .map((s) => s.trim().split(/\s+as\s+/)[0])
        .filter((s) => s.length > 0);
      out.set(file, [...(out.get(file) ?? []), ...names]);
    }
  }
  return out;
}

describe('notebooks/lib/theory.ts', () => {
  test('every export is the index export of the same name, the very same binding', () => {
    const names = Object.keys(theory);
    expect(names.length).toBeGreaterThan(50);
    const idx = index as Record<string, unknown>;
    for (const name of names) {
      expect(Object.hasOwn(idx, name), `src/index.ts exports ${name}`).toBe(true);
      expect((theory as Record<string, unknown>)[name], name).toBe(idx[name]);
    }
  });

  test('it leaves out only the network and study parts of the index', () => {
    const left = Object.keys(index).filter((n) => !Object.hasOwn(theory, n));
    // Names the theory notebooks need are all there (checked next); these are what a theory page has no use for.
    for (const name of ['initBackend', 'HyperSpace', 'makeCandidate', 'summarizeArchSearch', 'claims', 'runClaim']) expect(left, name).toContain(name);
  });

  test('every name a notebook imports from it exists', () => {
    const imported = importedNames();
    expect(imported.size).toBeGreaterThanOrEqual(10);
    for (const [file, names] of imported) for (const n of names) expect(Object.hasOwn(theory, n), `${file} imports ${n}`).toBe(true);
    // No notebook imports the whole index any more (it would load TensorFlow.js).
    for (const file of readdirSync(NOTEBOOKS).filter((f) => f.endsWith('.html'))) expect(readFileSync(join(NOTEBOOKS, file), 'utf8'), file).not.toMatch(/from\s*"\.\.\/src\/index\.ts"/);
  });
});
