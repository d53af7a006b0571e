import { initBackend, formatBackendInfo } from './dist/src/nn/backend.js';
const tf = await import('@tensorflow/tfjs');
for (const b of ['auto','webgpu','wasm','tensorflow','webgpu']) {
  try { const info = await initBackend(b); console.log(b, '->', formatBackendInfo(info), info.skipped ?? '');
  console.log(tf.matMul(tf.ones([2,3]), tf.ones([3,2])).arraySync()); } catch (e) { console.log(b, 'ERR', e.message); }
}
process.exit(0);
