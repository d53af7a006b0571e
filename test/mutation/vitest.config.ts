import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { QuickFirstSequencer } from './sequencer.js';

// The test set of the mutation run (stryker.config.mjs): the kernel's tests (src/linalg, src/theory) and the killing
// tests test/mutation/kill-*.test.ts. mathjs comes from its single-file build (test/mutation/mathjs-bundle.ts: same version,
// ~0.3 s to load instead of ~4 s, paid once per test file per mutant).
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

export default defineConfig({
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
    include: ['test/linalg/**/*.test.ts', 'test/theory/**/*.test.ts', 'test/mutation/kill-*.test.ts'],
    setupFiles: ['test/mutation/setup.ts'],
    sequence: { sequencer: QuickFirstSequencer },
    server: { deps: { inline: ['@fast-check/vitest'] } },
    // Stryker's instrumented code runs the tight float64 loops many times slower (PT-2 style Jacobi in OBS-1: ~1 s
    // plain, over 60 s instrumented on the shared machine); each mutant's own timeout is Stryker's (stryker.config.mjs).
    testTimeout: 900_000,
    hookTimeout: 900_000,
  },
});
