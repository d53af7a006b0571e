#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript under dist/ (run `npm run build` first; `npm start` does).
// The native backend's settings (oneDNN kernels, quiet logs; src/nn/nativeEnv.ts NATIVE_ENV_DEFAULTS), unless the
// user set them: TensorFlow reads them once, when the addon loads, so before anything runs.
const { NATIVE_ENV_DEFAULTS } = await import('../dist/src/nn/nativeEnv.js');
for (const [k, v] of Object.entries(NATIVE_ENV_DEFAULTS)) process.env[k] ??= v;
// Dawn (the webgpu backend, which `--backend auto` tries first on a GPU) complains on stderr without a runtime dir.
process.env.XDG_RUNTIME_DIR ??= (await import('node:os')).tmpdir();
const { main } = await import('../dist/src/cli/main.js');

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
