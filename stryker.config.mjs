// Mutation testing (issue 12; README, "Mutation testing"), the theory run; the linalg run is stryker.linalg.config.mjs
// (it takes everything not set there from here). Run both locally with `.ci/mutation` (the CI step), or
// `npx stryker run` for this one alone. StrykerJS 9.6.1 with the vitest runner: 10.x needs Node 22, and 9.5.1's
// runner loses per-test coverage and hit counts on vitest 4.1 (its afterAll hooks read `meta` from the hook's
// context, which vitest 4.1 no longer passes there).
//
// What it mutates: src/theory's claim plumbing and src/linalg/gaussHermite.ts (see `mutate`; the modules below the
// claims are the theory-unit run's, stryker.theory-unit.config.mjs). What it runs: the kernel's tests and the
// killing tests test/mutation/kill-*.test.ts (test/mutation/vitest.config.ts), never the NN or CLI suites.
// Per-test coverage: each mutant runs only the tests that reach it. Incremental: results for mutants whose code and
// covering tests are unchanged since test/mutation/incremental-theory.json are reused (Stryker checks both); commit that file
// after a local run so that CI re-tests only what changed. The score, less the equivalent mutants in
// test/mutation/equivalent.json, is checked by .ci/mutation-score.mjs (the threshold is there).

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'test/mutation/vitest.config.ts', related: true },
  coverageAnalysis: 'perTest',
  // What CI mutates here: the files whose results are in test/mutation/incremental-theory.json. The goal is
  // src/theory/**/*.ts (7,813 mutants) over this run and the theory-unit and theory-claims runs: too many to test within the CI cap from
  // scratch, so files join once a local run has put their results in the incremental file and its survivors are killed
  // or listed as equivalent (README, "Mutation testing": what is left). gaussHermite.ts is the
  // one src/linalg file measured here, theory claim tests included (test/mutation/vitest.linalg.config.ts says why).
  mutate: ['src/linalg/gaussHermite.ts', 'src/theory/claim.ts', 'src/theory/generators.ts', 'src/theory/registry.ts', 'src/theory/runner.ts', 'src/theory/lin/loss.ts', 'src/theory/obs1/io.ts', 'src/theory/thm3/io.ts'],
  // The sandbox gets only what the kernel's tests need (the tree also holds .native/, dist/, notebooks/ …).
  ignorePatterns: ['/*', '!/src', '!/test', '!/package.json', '!/tsconfig.json'],
  concurrency: 2,
  // A shared 2-core machine: a slow run is not an infinite loop (the hit limit catches those first).
  timeoutMS: 10_000,
  timeoutFactor: 2,
  // The initial (coverage) run of every test reached, instrumented: over Stryker's default 5 min when the machine is
  // loaded (13:18 on 2026-12-07, load average 13, the linalg run's dry run timed out).
  dryRunTimeoutMinutes: 30,
  incremental: true,
  incrementalFile: 'test/mutation/incremental-theory.json',
  reporters: ['clear-text', 'progress-append-only', 'json'],
  jsonReporter: { fileName: 'reports/mutation/theory.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportTests: false, reportScoreTable: true, reportMutants: false },
  // The threshold is enforced by .ci/mutation-score.mjs (the score there excludes the listed equivalent mutants).
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
