/**
 * The library for the notebooks that compute no network: the kernel (linalg), the claims (theory), the bilevel
 * engine and the toy experiments, re-exported from the same TypeScript sources as `src/index.ts`, without its
 * `nn` and `tune` parts.
 *
 * @remarks
 * `src/index.ts` also exports the TensorFlow.js layers, so a notebook importing it loads the 2.4 MB chunk that
 * carries TensorFlow.js even when it only draws a toy. Importing this module instead keeps that chunk off the
 * page (the browser test checks that no notebook loads it). Every name here is the index's own binding: the
 * test `test/notebooks/theory-entry.test.ts` checks that each export is identical (`===`) to the index's, so the
 * two cannot drift apart in what a name means.
 */

export * from '../../src/errors.js';
export * from '../../src/tolerance.js';
export { Rng } from '../../src/rng.js';

// linalg
export * from '../../src/linalg/dense.js';
export * from '../../src/linalg/gaussHermite.js';
export * from '../../src/linalg/exact.js';
export * from '../../src/linalg/inertia.js';
export * from '../../src/linalg/cubature.js';

// theory
export * as scalarToys from '../../src/theory/scalarToys.js';
export * as obs1 from '../../src/theory/obs1.js';
export * as obs2 from '../../src/theory/obs2.js';
export * as thm3 from '../../src/theory/thm3.js';
export * as appE from '../../src/theory/appE.js';
export * as lin from '../../src/theory/lin.js';
export { conditioningReport } from '../../src/theory/obs1.js';
export { bestResponse, bestResponseJson, thm3Report } from '../../src/theory/thm3.js';

// bilevel and the toy experiments
export * from '../../src/bilevel/problem.js';
export * from '../../src/bilevel/families.js';
export * from '../../src/bilevel/derivatives.js';
export * from '../../src/bilevel/newton.js';
export * from '../../src/bilevel/expectation.js';
export * from '../../src/bilevel/objectives.js';
export * from '../../src/bilevel/methods.js';
export * from '../../src/bilevel/driver.js';
export * from '../../src/experiments/ridge.js';
export * from '../../src/experiments/interaction.js';
export * from '../../src/experiments/plots.js';
export * from '../../src/experiments/jacobian.js';
export * from '../../src/experiments/conditioning.js';
export * from '../../src/experiments/nas.js';
