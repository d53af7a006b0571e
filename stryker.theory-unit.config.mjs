import base from './stryker.config.mjs';

// The theory-unit mutation run (README, "Mutation testing"): src/theory's modules below the claims (the math of each
// claim, the toys, input validation) measured against their own fast unit tests only, test/mutation/kill-<module>*.test.ts
// (test/mutation/vitest.theory-unit.config.ts), never the claim tests: as the linalg run does for src/linalg, the
// module's own tests must kill its mutants, and a mutant then costs about a second instead of minutes (the claim tests
// spend their time in property runs, quadrature and exact solves). The claim modules (claim.ts, runner.ts, the
// */claim.ts and */io.ts) stay in the theory run (stryker.config.mjs), whose tests are the claim tests.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  vitest: { ...base.vitest, configFile: 'test/mutation/vitest.theory-unit.config.ts' },
  // Files join once a local run has put their results in test/mutation/incremental-theory-unit.json.
  mutate: [
    'src/theory/input.ts',
    'src/theory/scalarToys.ts',
    'src/theory/obs1/math.ts',
    'src/theory/obs2/math.ts',
    'src/theory/thm3/math.ts',
    'src/theory/appE/math.ts',
    'src/theory/lin/math.ts',
    'src/theory/lin/vector.ts',
    'src/theory/appE/general.ts',
    'src/theory/appE/certified.ts',
  ],
  incrementalFile: 'test/mutation/incremental-theory-unit.json',
  jsonReporter: { fileName: 'reports/mutation/theory-unit.json' },
  tempDirName: '.stryker-tmp/theory-unit',
};
