// No import here: test/setup.ts, the CLI launcher and the benches read this before anything loads tfjs.

/**
 * Environment variables the native backend reads once, when its addon loads, and the values this project runs
 * it with. The library does not touch `process.env` (design: only the CLI does); the CLI launcher, the benches
 * and the tests apply these defaults (`process.env[k] ??= v`) before the first `initBackend`, and a library
 * user who wants the same speed does likewise:
 * - `TF_ENABLE_ONEDNN_OPTS=1`: TensorFlow's oneDNN kernels. Measured here (TensorFlow 2.21 CPU wheel, 2 cores):
 *   matMul 128×1200 @ 1200×1200 3.6 ms instead of 4.6, C̄·Bᵀ with the transpose flag 4.1 instead of 6.4, the
 *   momentum update of 1.44 M weights 3.2 ms instead of 5.4.
 * - `TF_CPP_MIN_LOG_LEVEL=2`: warnings and errors only (TensorFlow logs CPU-feature notices at load).
 */
export const NATIVE_ENV_DEFAULTS: Readonly<Record<string, string>> = Object.freeze({ TF_ENABLE_ONEDNN_OPTS: '1', TF_CPP_MIN_LOG_LEVEL: '2' });
