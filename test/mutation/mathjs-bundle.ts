/**
 * `mathjs` for the mutation run (test/mutation/vitest.config.ts aliases the bare specifier here): the same mathjs
 * 15.2.0, loaded from its single-file build `lib/browser/math.js` instead of its ESM build of ~1,260 files.
 *
 * @remarks
 * Every mutant re-runs its covering test files, and every test file re-imports mathjs: the ESM build takes ~4 s to
 * load on the shared 2-core machine, the single file ~0.3 s. The kernel uses only `create(all, config)` (and the
 * types): the bundle's default instance has `create = create.bind(null, all)`, so `create(all, config)` below is
 * the same call. Any other factory set is refused rather than silently replaced.
 */
import { createRequire } from 'node:module';
import type { ConfigOptions, MathJsInstance } from 'mathjs';

const require = createRequire(import.meta.url);
const bundle = require('mathjs/lib/browser/math.js') as MathJsInstance & { create(config?: ConfigOptions): MathJsInstance };

/** Stands for mathjs's `all` (every factory); the only factory set {@link create} accepts. */
export const all: Readonly<Record<string, never>> = Object.freeze({});

/** mathjs's `create(all, config)`, from the single-file build. */
export function create(factories: unknown, config?: ConfigOptions): MathJsInstance {
  if (factories !== all) throw new Error('test/mutation/mathjs-bundle.ts: only create(all, config) is supported');
  return bundle.create(config);
}
