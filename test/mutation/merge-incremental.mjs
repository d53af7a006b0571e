#!/usr/bin/env node
/* global console, process */
// Merges Stryker incremental files (mutation-testing reports) of runs over disjoint sets of files into one, e.g. the
// linalg run measured file by file (README, "Mutation testing"):
//
//   node test/mutation/merge-incremental.mjs <out.json> <in.json>…
//
// Test ids are per run (vitest's runner numbers them), so tests are matched by test file and name, renumbered, and
// each mutant's coveredBy / killedBy rewritten; a test file's source must agree across the inputs (else Stryker would
// re-test its mutants anyway, and the merge refuses). A mutated file in two inputs: the later input wins.
import { readFileSync, writeFileSync } from 'node:fs';

const [out, ...inputs] = process.argv.slice(2);
if (out === undefined || inputs.length === 0) {
  console.error('usage: node test/mutation/merge-incremental.mjs <out.json> <in.json>…');
  process.exit(2);
}
const merged = { files: {}, testFiles: {} };
const ids = new Map(); // `${testFile}\0${name}` → new id
const idOf = (file, name) => {
  const key = `${file}\0${name}`;
  if (!ids.has(key)) ids.set(key, String(ids.size));
  return ids.get(key);
};
for (const path of inputs) {
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  for (const key of Object.keys(doc)) if (!(key in merged)) merged[key] = doc[key];
  const remap = new Map();
  for (const [file, { source, tests }] of Object.entries(doc.testFiles ?? {})) {
    const have = merged.testFiles[file];
    if (have !== undefined && have.source !== source) throw new Error(`${file}: its source differs between the inputs (${path}): rerun`);
    const entry = have ?? (merged.testFiles[file] = { source, tests: [] });
    for (const t of tests) {
      const id = idOf(file, t.name);
      remap.set(t.id, id);
      if (!entry.tests.some((u) => u.id === id)) entry.tests.push({ ...t, id });
    }
  }
  // A test that exists only under some mutant (a name built from what a mutant made throw, e.g. "PT-2 threw") is in no
  // test file: it is dropped, and a mutant it alone killed has no killer left, so Stryker re-tests that mutant.
  let dropped = 0;
  const map = (list) => list?.flatMap((id) => {
    const to = remap.get(id);
    if (to === undefined) dropped++;
    return to === undefined ? [] : [to];
  });
  for (const [file, entry] of Object.entries(doc.files)) {
    merged.files[file] = { ...entry, mutants: entry.mutants.map((m) => ({ ...m, coveredBy: map(m.coveredBy), killedBy: map(m.killedBy) })) };
  }
  if (dropped > 0) console.log(`${path}: ${dropped} reference(s) to tests in no test file dropped`);
}
// Mutant ids are per run too: renumber them, unique across the merged files.
let next = 0;
for (const entry of Object.values(merged.files)) {
  for (const m of entry.mutants) m.id = String(next++);
}
writeFileSync(out, JSON.stringify(merged, null, 2) + '\n');
console.log(`${out}: ${Object.keys(merged.files).length} mutated files, ${Object.keys(merged.testFiles).length} test files, ${ids.size} tests`);
