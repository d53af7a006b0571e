import base from './stryker.config.mjs';

// The theory-claims mutation run (README, "Mutation testing"): the five claim modules (obs1, obs2, thm3, lin, appE
// claim.ts: each claim's case generator, the checks of one case, its reference checks and the registered Claim)
// measured against their own fast unit tests only, test/mutation/kill-<claim>-claim*.test.ts
// (test/mutation/vitest.theory-claims.config.ts), never the claim tests: as in the theory-unit run, a module's own tests
// must kill its mutants, and a mutant then costs about a second instead of minutes. A run of its own, apart from
// theory-unit, so that these tests (which call every module below the claims) never count as covering tests of the
// theory-unit modules' mutants: there each module is killed by its own tests alone.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  vitest: { ...base.vitest, configFile: 'test/mutation/vitest.theory-claims.config.ts' },
  mutate: ['src/theory/obs1/claim.ts', 'src/theory/obs2/claim.ts', 'src/theory/thm3/claim.ts', 'src/theory/lin/claim.ts', 'src/theory/appE/claim.ts'],
  incrementalFile: 'test/mutation/incremental-theory-claims.json',
  jsonReporter: { fileName: 'reports/mutation/theory-claims.json' },
  tempDirName: '.stryker-tmp/theory-claims',
};
