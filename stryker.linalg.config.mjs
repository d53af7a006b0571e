// Mutation testing, the linalg run (issue 12; README, "Mutation testing"): mutates src/linalg and runs only
// src/linalg's own tests, test/linalg and test/mutation/kill-<linalg file>.test.ts (test/mutation/vitest.linalg.config.ts):
// the kernel's tests must kill the kernel's mutants (the stronger property), and without the theory claim tests a
// mutant costs seconds. The theory run is stryker.config.mjs; `.ci/mutation` runs both. Everything not set here is
// stryker.config.mjs's (runner, per-test coverage, timeouts, reporters).
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  vitest: { ...base.vitest, configFile: 'test/mutation/vitest.linalg.config.ts' },
  // Every src/linalg file but gaussHermite.ts (the theory run's: test/mutation/vitest.linalg.config.ts says why); the
  // results are in test/mutation/incremental-linalg.json.
  mutate: ['src/linalg/**/*.ts', '!src/linalg/gaussHermite.ts'],
  incrementalFile: 'test/mutation/incremental-linalg.json',
  jsonReporter: { fileName: 'reports/mutation/linalg.json' },
  tempDirName: '.stryker-tmp/linalg',
};
