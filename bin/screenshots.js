#!/usr/bin/env node
// Refreshes the notebook screenshots under docs/ (docs/notebook-<name>.png, which the README shows) from the
// full-page screenshots the browser test takes (test/notebooks/browser.test.ts writes them to
// notebooks/dist/screenshots/ after each page has rendered and before its checks).
//
//   node bin/screenshots.js            run the browser test (it builds the notebooks and opens each in headless
//                                      Chromium), then copy; nothing is copied unless every check passed
//   node bin/screenshots.js --no-test  copy what the last run of the browser test left
//
// Exit 0 with one line per copied file; 1 if the test failed or a screenshot is missing (nothing is copied
// then); 2 on a bad option.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { URL, fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHOTS = join(ROOT, 'notebooks/dist/screenshots');
const DOCS = join(ROOT, 'docs');

/** The notebooks whose screenshot goes to docs/notebook-<name>.png (every notebook but the index). */
export const NOTEBOOK_SCREENSHOTS = ['obs1', 'obs2', 'thm3', 'appE', 'lin', 'ridge', 'jacobian', 'conditioning', 'interaction', 'nas', 'runs'];

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--no-test');
if (unknown.length > 0) {
  console.error(`usage: node bin/screenshots.js [--no-test]   (unknown option: ${unknown.join(' ')})`);
  process.exit(2);
}

if (!args.includes('--no-test')) {
  const run = spawnSync('npx', ['vitest', 'run', 'test/notebooks/browser.test.ts'], { cwd: ROOT, stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`screenshots: the browser test failed (exit ${run.status}); docs/ left as it was`);
    process.exit(1);
  }
}

const missing = NOTEBOOK_SCREENSHOTS.filter((n) => !existsSync(join(SHOTS, `${n}.png`)));
if (missing.length > 0) {
  console.error(`screenshots: no ${missing.map((n) => `${n}.png`).join(', ')} in ${relative(ROOT, SHOTS)} (is Chromium installed? the browser test skips without it); docs/ left as it was`);
  process.exit(1);
}
for (const name of NOTEBOOK_SCREENSHOTS) {
  const from = join(SHOTS, `${name}.png`);
  const to = join(DOCS, `notebook-${name}.png`);
  copyFileSync(from, to);
  console.log(`${relative(ROOT, to)}  (${Math.round(statSync(to).size / 1024)} KiB)`);
}
