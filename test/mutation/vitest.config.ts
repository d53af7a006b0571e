import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { QuickFirstSequencer } from './sequencer.js';

// The test set of the theory mutation run (stryker.config.mjs): the kernel's tests (src/linalg, src/theory) and the
// killing tests test/mutation/kill-*.test.ts named below; the linalg run's is test/mutation/vitest.linalg.config.ts.
// mathjs comes from its single-file build (test/mutation/mathjs-bundle.ts: same version, ~0.3 s to load instead of
// ~4 s, paid once per test file per mutant).
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

/** The mutation run's vitest config over the test files `include` (globs from the repository root). */
export function mutationVitestConfig(include: string[]): ReturnType<typeof defineConfig> {
  return defineConfig({
    plugins: [
      {
        name: 'deltastn:vitest-for-fast-check',
        enforce: 'pre',
        resolveId(source, importer) {
          if (source === 'vitest' && importer !== undefined && importer.includes('/node_modules/@fast-check/vitest/')) return here('./vitest-for-fast-check.ts');
          return null;
        },
      },
    ],
    resolve: {
      alias: [{ find: /^mathjs$/, replacement: here('./mathjs-bundle.ts') }],
    },
    test: {
      root: here('../..'),
      include,
      setupFiles: ['test/mutation/setup.ts'],
      sequence: { sequencer: QuickFirstSequencer },
      server: { deps: { inline: ['@fast-check/vitest'] } },
      // Stryker's instrumented code runs the tight float64 loops many times slower (PT-2 style Jacobi in OBS-1: ~1 s
      // plain, over 60 s instrumented on the shared machine); each mutant's own timeout is Stryker's (stryker.config.mjs).
      testTimeout: 900_000,
      hookTimeout: 900_000,
    },
  });
}

// The theory run's killing tests are named one by one: a new test file in this set would count as a new covering test
// of every static mutant (OBS-1's reference checks call outward.ts and gaussHermite.ts while vitest collects), and
// Stryker would re-test them all against every test, far past the CI cap. The linalg run's kill-<file> tests are its own.
export default mutationVitestConfig([
  'test/linalg/**/*.test.ts',
  'test/theory/**/*.test.ts',
  'test/mutation/kill-{cubature,gaussHermite,outward,scalar,thm3-io,obs1-io,theory-core,theory-core-2,lin-loss}.test.ts',
]);
