// The killing tests' typed-error helpers (README, "Mutation testing"): test/throws.ts, shared with the other suites.
export { expectThrows, message, thrown } from '../throws.js';
