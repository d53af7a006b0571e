import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Test-file order for the mutation run (test/mutation/vitest.config.ts): files that failed last time first (they
 * killed the previous mutant), then the quickest first. vitest's default runs the longest first; Stryker stops a
 * mutant at its first failing test (bail), so quick files first kill sooner. The order changes no verdict: a
 * mutant is killed iff some covering test fails.
 */
export class QuickFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cache = this.ctx.cache;
    const rank = (spec: TestSpecification): [number, number] => {
      const key = `${spec.project.name}:${relative(this.ctx.config.root, spec.moduleId)}`;
      const results = cache.getFileTestResults(key);
      if (results !== undefined) return [results.failed ? 0 : 1, results.duration];
      return [1, cache.getFileStats(key)?.size ?? 0];
    };
    return [...files].sort((a, b) => {
      const [fa, da] = rank(a);
      const [fb, db] = rank(b);
      return fa - fb || da - db;
    });
  }
}
