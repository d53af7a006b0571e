/* global process */
import { mutationVitestConfig } from './vitest.config.js';

// The test set of the theory-unit mutation run (stryker.theory-unit.config.mjs): the unit tests of src/theory's modules
// below the claims, test/mutation/kill-<module>*.test.ts, and nothing else (no claim tests: a module's own tests must
// kill its mutants; a mutant then costs about a second). The rest (the fast-check shim, mathjs's single-file build,
// the setup, the quick-first order) is test/mutation/vitest.config.ts's. These test files build nothing from src at
// module level: a mutant that throws while a file loads would fail it at collection, and Stryker's vitest runner counts
// only the tests that ran.
//
// MUTATION_TEST_FILES (comma-separated globs) narrows the set, as in the linalg run's config. Killing tests written
// after a module's results are in the incremental file go into a new file (kill-<module>-2.test.ts, matched below):
// Stryker counts a test as its whole file.
const all = ['test/mutation/kill-{input,scalarToys,obs1-math,obs2-math,thm3-math,appE-math,appE-general,appE-certified,lin-math,lin-vector}*.test.ts'];
export default mutationVitestConfig(process.env.MUTATION_TEST_FILES ? process.env.MUTATION_TEST_FILES.split(',') : all);
