/* global process */
import { mutationVitestConfig } from './vitest.config.js';

// The test set of the theory-claims mutation run (stryker.theory-claims.config.mjs): the unit tests of the five claim
// modules, test/mutation/kill-<claim>-claim*.test.ts, and nothing else. As in the theory-unit run
// (vitest.theory-unit.config.ts), these files build nothing from src at module level, MUTATION_TEST_FILES
// (comma-separated globs) narrows the set, and killing tests written after a module's results are saved go into a new
// file (kill-<claim>-claim-2.test.ts).
const all = ['test/mutation/kill-{obs1,obs2,thm3,lin,appE}-claim*.test.ts'];
export default mutationVitestConfig(process.env.MUTATION_TEST_FILES ? process.env.MUTATION_TEST_FILES.split(',') : all);
