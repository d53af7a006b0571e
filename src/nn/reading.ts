/**
 * Device reads, written once for synchronous and asynchronous backends.
 *
 * The training loop must read a few numbers back from the device (a loss, the hypergradient rows, the
 * weights of a snapshot). wasm, cpu and tensorflow can read synchronously (`dataSync`); WebGPU in Node
 * cannot (tfjs-backend-webgpu's synchronous read needs an `OffscreenCanvas`, and Dawn has no blocking map),
 * only `await data()`. Rather than write every step twice, a step is a generator that YIELDS each tensor it
 * needs to read and receives its values back; {@link readSync} and {@link readAsync} are the two drivers.
 * The step's code, its order of random draws and its arithmetic are therefore the same on every backend.
 */
import type * as tf from '@tensorflow/tfjs';

/** The values of a read tensor, flat in row-major order (float32, int32 or bool as stored). */
export type ReadValues = Float32Array | Int32Array | Uint8Array;

/** A computation that yields the tensors it reads and returns an `R`. */
export type Reading<R> = Generator<tf.Tensor, R, ReadValues>;

/** Runs `g`, reading each yielded tensor with `dataSync()`. Not for WebGPU in Node. */
export function readSync<R>(g: Reading<R>): R {
  let step = g.next();
  while (!step.done) step = g.next(step.value.dataSync() as ReadValues);
  return step.value;
}

/** Runs `g`, reading each yielded tensor with `await data()`: every backend, WebGPU included. */
export async function readAsync<R>(g: Reading<R>): Promise<R> {
  let step = g.next();
  while (!step.done) step = g.next((await step.value.data()) as ReadValues);
  return step.value;
}

/** Reads one tensor inside a {@link Reading} (`const v = yield* read(t)`), so a step reads like straight-line code. */
export function* read(t: tf.Tensor): Reading<ReadValues> {
  return yield t;
}

/** Reads a rank-2 tensor as rows of numbers. */
export function* readRows(t: tf.Tensor2D): Reading<number[][]> {
  const v = yield t;
  const [m, n] = t.shape;
  return Array.from({ length: m }, (_, i) => Array.from(v.subarray(i * n, (i + 1) * n)));
}

/** Whether the active backend can only read asynchronously (then use the `…Async` methods of the trainer). */
export function needsAsyncReads(backendName: string): boolean {
  return backendName === 'webgpu';
}
