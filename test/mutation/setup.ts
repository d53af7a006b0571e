// Setup for the mutation run (stryker.config.mjs → test/mutation/vitest.config.ts): the same fixed fast-check seed as
// test/setup.ts, without the backend environment (the kernel tests load no tfjs), so that each mutant's re-run does
// not pay for it; and no shrinking (endOnFailure): a failing property still fails the test, at its first
// counterexample, instead of spending the mutant's time budget on a minimal one nobody reads.
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20201127), endOnFailure: true });
