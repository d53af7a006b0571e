// Determinism: every property test draws from one fixed seed (override with FC_SEED=<n> to explore).
import fc from 'fast-check';
import { NATIVE_ENV_DEFAULTS } from '../src/nn/nativeEnv.js';

// The native backend runs with the settings the CLI uses (oneDNN, quiet logs), applied before any addon loads (from a
// module without tfjs: importing tfjs here cost ~0.7 s of CPU in every test file, half of which never load it).
for (const [k, v] of Object.entries(NATIVE_ENV_DEFAULTS)) process.env[k] ??= v;

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20201127) });
