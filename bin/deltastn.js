#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript under dist/ (run `npm run build` first; `npm start` does).
// TensorFlow's C library (the native backend) logs CPU-feature notices at INFO level on load: keep warnings
// and errors only, unless the user asked for more. Must be set before the addon loads.
process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
const { main } = await import('../dist/src/cli/main.js');

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
