import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { BACKEND_NAMES, BackendUnavailableError, formatBackendInfo, initBackend, isBackendName, type BackendName } from '../../src/nn/backend.js';

/** Whether an optional native package is installed here (then the "missing" tests do not apply). */
function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
const hasNode = installed('@tensorflow/tfjs-node');
const hasNodeGpu = installed('@tensorflow/tfjs-node-gpu');

afterAll(async () => {
  await initBackend('wasm');
});

describe('initBackend', () => {
  test('silences the cpu backend banner without touching console', async () => {
    // Give the cpu backend a fresh instance (its banner fires once per instance), as if never used.
    await tf.setBackend('wasm');
    const factory = tf.findBackendFactory('cpu');
    tf.removeBackend('cpu');
    tf.registerBackend('cpu', factory, 1);
    const warn = vi.spyOn(console, 'warn');
    const log = vi.spyOn(console, 'log');
    try {
      const info = await initBackend('cpu');
      expect(info.name).toBe('cpu');
      tf.tidy(() => tf.add(tf.ones([3]), 1).dataSync());
      const said = [...warn.mock.calls, ...log.mock.calls].flat().map(String).join('\n');
      expect(said).not.toMatch(/looks like you are running TensorFlow\.js in Node/);
    } finally {
      warn.mockRestore();
      log.mockRestore();
    }
  });

  test("'wasm' works offline: SIMD build, one thread in Node", async () => {
    const info = await initBackend('wasm');
    expect(info).toMatchObject({ name: 'wasm', requested: 'wasm', tfjsVersion: tf.version.tfjs });
    expect(tf.getBackend()).toBe('wasm');
    expect(info.simd).toBe(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    expect(info.threads).toBe(1); // tfjs disables wasm threads whenever IS_NODE (tfjs-backend-wasm's IS_NODE check)
    expect(tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).arraySync())).toEqual([
      [3, 3],
      [3, 3],
    ]);
    expect(formatBackendInfo(info)).toBe(`wasm (${info.simd ? 'SIMD' : 'no SIMD'}, 1 thread), tfjs ${tf.version.tfjs}`);
  });

  test("'auto' never fails: the best native backend if installed, else wasm", async () => {
    const info = await initBackend('auto');
    expect(info.requested).toBe('auto');
    // No hardware GPU on the test machines: webgpu is skipped (no adapter, or only SwiftShader's software one).
    expect(info.skipped?.[0]).toBe(hasNodeGpu ? 'tensorflow-gpu: @tensorflow/tfjs-node-gpu is loaded but TensorFlow sees no GPU' : 'tensorflow-gpu: @tensorflow/tfjs-node-gpu is not installed');
    expect(info.skipped?.[1]).toMatch(/^webgpu: (no GPU device on this machine|no WebGPU adapter|only a software adapter)/);
    if (!hasNode && !hasNodeGpu) {
      expect(info.name).toBe('wasm');
      expect(info.skipped?.[2]).toBe('tensorflow: @tensorflow/tfjs-node is not installed');
      expect(info.device).toMatch(/^CPU \(WebAssembly/);
    } else {
      expect(info.name).toBe('tensorflow');
      expect(info.skipped).toHaveLength(2);
    }
    expect(await initBackend()).toMatchObject({ name: info.name, requested: 'auto' });
  });

  test('idempotent and safe to call repeatedly and concurrently, switching back and forth', async () => {
    const names: BackendName[] = ['wasm', 'cpu', 'wasm', 'wasm', 'cpu', 'auto', 'wasm'];
    const infos = await Promise.all(names.map((n) => initBackend(n)));
    expect(infos.map((i) => i.requested)).toEqual(names);
    expect(infos.map((i) => i.name)).toEqual(names.map((n) => (n === 'auto' ? infos[5].name : n)));
    expect(tf.getBackend()).toBe('wasm');
    // A tensor made on one backend survives a switch and a re-init of the same backend.
    const t = tf.tensor1d([1, 2, 3]);
    await initBackend('wasm');
    await initBackend('cpu');
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3]);
    t.dispose();
    await initBackend('wasm');
  });

  test.skipIf(hasNode)("'tensorflow' without @tensorflow/tfjs-node: a typed error with the install line", async () => {
    const err = await initBackend('tensorflow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    const e = err as BackendUnavailableError;
    expect(e.argument).toBe('--backend');
    expect(e.backend).toBe('tensorflow');
    expect(e.reason).toBe('@tensorflow/tfjs-node is not installed');
    expect(e.message).toContain(`npm install --no-save @tensorflow/tfjs-node@${tf.version.tfjs}`);
    expect(e.message).toContain('npm run setup:native');
    expect(e.message).toContain('libtensorflow');
    // A failed request leaves the previous backend in place.
    expect(tf.getBackend()).toBe('wasm');
  });

  test.skipIf(hasNodeGpu || hasNode)("'tensorflow-gpu' without @tensorflow/tfjs-node-gpu: a typed error with the install line", async () => {
    const err = await initBackend('tensorflow-gpu').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as BackendUnavailableError).message).toContain(`npm install --no-save @tensorflow/tfjs-node-gpu@${tf.version.tfjs}`);
    expect((err as BackendUnavailableError).message).toContain('--gpu --libtensorflow DIR');
    expect((err as BackendUnavailableError).message).toContain('CUDA');
  });

  test.runIf(hasNodeGpu)("'tensorflow-gpu' by name needs a GPU: without CUDA, a typed error that says TensorFlow sees none", async () => {
    const r = await initBackend('tensorflow-gpu').then(
      (info) => info,
      (e: unknown) => e,
    );
    if (r instanceof BackendUnavailableError) expect(r.reason).toMatch(/TensorFlow sees no GPU|already loaded/);
    else expect((r as { device: string }).device).toMatch(/^GPU \(TensorFlow/);
    await initBackend('wasm');
  });

  test.runIf(hasNode && !hasNodeGpu)("'tensorflow-gpu' once tfjs-node owns the 'tensorflow' backend: a typed error saying so", async () => {
    await initBackend('tensorflow');
    const err = await initBackend('tensorflow-gpu').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as BackendUnavailableError).reason).toMatch(/@tensorflow\/tfjs-node is already loaded/);
    const info = await initBackend('tensorflow');
    expect(info).toMatchObject({ name: 'tensorflow', nativePackage: '@tensorflow/tfjs-node' });
    expect(info.tensorflowVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.device).toBe(`CPU (TensorFlow ${info.tensorflowVersion})`);
    expect(formatBackendInfo(info)).toBe(`tensorflow (@tensorflow/tfjs-node, ${info.device}), tfjs ${tf.version.tfjs}`);
    await initBackend('wasm');
  });

  test("'webgpu': the adapter is described (software or not), or a typed error says how to get one", async () => {
    const err = await initBackend('webgpu').then(
      (info) => {
        expect(info.name).toBe('webgpu');
        expect(info.adapter).toBeDefined();
        expect(info.device).toMatch(info.adapter!.software ? /^software GPU: / : /^GPU: /);
        expect(formatBackendInfo(info)).toBe(`webgpu (${info.device}), tfjs ${tf.version.tfjs}`);
        return null;
      },
      (e: unknown) => e,
    );
    if (err !== null) {
      expect(err).toBeInstanceOf(BackendUnavailableError);
      expect((err as BackendUnavailableError).message).toContain('VK_ICD_FILENAMES');
    }
    await initBackend('wasm');
  });

  test('an unknown name is an InvalidArgumentError naming --backend', async () => {
    for (const bad of ['webgl', 'WASM', '', 'tensorflow_gpu']) {
      const err = await initBackend(bad as BackendName).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).argument).toBe('--backend');
    }
    // The queue is not poisoned by a rejected call.
    expect((await initBackend('wasm')).name).toBe('wasm');
  });

  test('isBackendName accepts exactly BACKEND_NAMES', () => {
    for (const n of BACKEND_NAMES) expect(isBackendName(n)).toBe(true);
    for (const n of ['webgl', 'WebGPU', 1, null, undefined, 'Auto']) expect(isBackendName(n)).toBe(false);
  });
});
