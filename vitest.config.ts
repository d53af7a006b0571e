import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // mathjs from its single-file build (test/mutation/mathjs-bundle.ts: the same mathjs 15.2.0, `create(all, config)`,
    // the only call src makes): its ESM build of ~1,260 files costs each test file that reaches src/linalg/exact.ts
    // about 1–4 s of import. Measured side by side on test/linalg + test/bilevel, 255 tests: import 47.8 s → 30.7 s,
    // 70.6 s → 51.4 s wall. The ESM build itself is still what the compiled CLI loads in the tests that spawn it.
    alias: [{ find: /^mathjs$/, replacement: fileURLToPath(new URL('./test/mutation/mathjs-bundle.ts', import.meta.url)) }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
