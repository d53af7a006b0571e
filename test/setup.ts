// Determinism: every property test draws from one fixed seed (override with FC_SEED=<n> to explore).
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20201127) });
