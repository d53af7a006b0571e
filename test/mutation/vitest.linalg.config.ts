/* global process */
import { mutationVitestConfig } from './vitest.config.js';

// The test set of the linalg mutation run (stryker.linalg.config.mjs): src/linalg's own tests (test/linalg) and its
// killing tests (test/mutation/kill-<linalg file>.test.ts), never the theory claim tests: the kernel's tests must kill
// the kernel's mutants themselves (the stronger property), and a mutant then costs seconds, not minutes. Without
// gaussHermite.ts's tests: they run Jacobi (dense.ts) at n = 200, which instrumented (dense.ts is mutated here) takes
// minutes per call, so gaussHermite.ts stays in the theory run, where dense.ts is not instrumented. The rest (the
// fast-check shim, mathjs's single-file build, the setup, the quick-first order) is test/mutation/vitest.config.ts's.
//
// MUTATION_TEST_FILES (comma-separated globs) narrows the set, to measure one file against its own tests, e.g.
//   MUTATION_TEST_FILES=test/linalg/dense.test.ts,test/mutation/kill-dense.test.ts npx stryker run stryker.linalg.config.mjs --mutate src/linalg/dense.ts
// The CI run then reuses those results where the killing test is unchanged, and re-tests the survivors against the
// whole set (README, "Mutation testing"). Killing tests written after a file's results are in the incremental file go
// into a new file (kill-<file>-2.test.ts, matched by the glob below): Stryker counts a test as its whole file, so an
// edit to kill-<file>.test.ts would re-test every mutant that file reaches, and a new file only the survivors.
const all = ['test/linalg/{cubature,dense,exact,inertia,integerMatrix,outward,outward-range,scalar}.test.ts', 'test/mutation/kill-{cubature,dense,exact,inertia,outward,scalar}*.test.ts'];
export default mutationVitestConfig(process.env.MUTATION_TEST_FILES ? process.env.MUTATION_TEST_FILES.split(',') : all);
