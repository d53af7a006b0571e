/**
 * Choosing the TensorFlow.js backend.
 *
 * Five backends can run the TensorFlow.js engine:
 *
 * | name | package | what it is |
 * |---|---|---|
 * | `wasm` (default) | `@tensorflow/tfjs-backend-wasm` (a dependency) | XNNPACK compiled to WebAssembly; ships its `.wasm` files, so it works offline. In Node it uses the SIMD build with **one thread** (tfjs disables wasm threads under Node). |
 * | `cpu` | bundled with `@tensorflow/tfjs` | plain JavaScript kernels; ~50× slower than wasm on matmul. A fallback. |
 * | `tensorflow` | `@tensorflow/tfjs-node` (installed by `npm run setup:native`) | libtensorflow, multi-threaded CPU. |
 * | `tensorflow-gpu` | `@tensorflow/tfjs-node-gpu` (`setup:native --gpu --libtensorflow DIR`) | libtensorflow with CUDA; registers itself under the backend name `tensorflow`. |
 * | `webgpu` | `@tensorflow/tfjs-backend-webgpu` + `webgpu` (Dawn for Node; dependencies) | WGSL compute shaders on the first WebGPU adapter: a real GPU through Vulkan, or SwiftShader's software Vulkan (correct, slow: for tests). In a browser, the browser's own `navigator.gpu`. |
 *
 * The native packages are not in package.json: their install scripts download libtensorflow. `npm run
 * setup:native` (bin/setup-native.js) builds the addon offline against the C library of the
 * `tensorflow-cpu` wheel; a user with internet can instead `npm install --no-save @tensorflow/tfjs-node@4.22.0`
 * (the version matching `@tensorflow/tfjs`). They, and the WebGPU packages, are loaded with a dynamic import
 * whose specifier is a variable (so that neither TypeScript nor a bundler tries to resolve them).
 *
 * Speed traps of the wasm backend, and the ops that avoid them, are in `ops.ts`.
 *
 * @see bench/backends.ts and the README's "Backends" and "Benchmarks" sections (measured facts).
 */
import * as tf from '@tensorflow/tfjs';
// Importing the package registers the 'wasm' backend factory with the engine.
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { DeltaStnError, InvalidArgumentError } from '../errors.js';

// The native backend's environment defaults live in a module without tfjs (the test setup reads them in every test
// file without paying for a tfjs import).
export { NATIVE_ENV_DEFAULTS } from './nativeEnv.js';

/** Every value `--backend` accepts. */
export const BACKEND_NAMES = ['auto', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu', 'webgpu'] as const;

/**
 * A backend request: `auto` picks the fastest one available (tensorflow-gpu, then webgpu on a hardware
 * adapter, then tensorflow, then wasm);
 * the others name one backend and fail with {@link BackendUnavailableError} when it cannot be loaded.
 */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** The tfjs backend names that {@link initBackend} can end up on. */
export type ActiveBackendName = 'wasm' | 'cpu' | 'tensorflow' | 'webgpu';

/** What {@link initBackend} set, for printing and logging. */
export interface BackendInfo {
  /** The tfjs backend actually set (`tf.getBackend()`); tensorflow-gpu reports `tensorflow`. */
  name: ActiveBackendName;
  /** What was asked for. */
  requested: BackendName;
  /** wasm only: whether the SIMD build of the wasm module is in use. */
  simd?: boolean;
  /** wasm only: the number of threads the wasm module runs on (1 in Node). */
  threads?: number;
  /** tensorflow only: the npm package that provides the backend. */
  nativePackage?: string;
  /** tensorflow only: the version of the TensorFlow C library the addon runs on. */
  tensorflowVersion?: string;
  /** webgpu only: the adapter (`adapter.info`), and whether it is a software one (SwiftShader, llvmpipe). */
  adapter?: WebGpuAdapterInfo;
  /** Where the kernels run, in words: `CPU (wasm SIMD, 1 thread)`, `CPU (TensorFlow 2.21.0)`, `GPU: NVIDIA H100 (nvidia, hopper)`. */
  device: string;
  /** `auto` only: the faster backends that were tried and skipped, each with the reason. */
  skipped?: string[];
  /** The version of `@tensorflow/tfjs` in use. */
  tfjsVersion: string;
}

/**
 * The requested backend cannot be loaded (a native package that is not installed or does not load, or a
 * wasm module that fails to initialise). The message says how to enable it. Argument: `--backend`.
 */
export class BackendUnavailableError extends DeltaStnError {
  /** The backend that was asked for. */
  readonly backend: BackendName;
  /** Why it is unavailable, without the advice (e.g. `@tensorflow/tfjs-node is not installed`). */
  readonly reason: string;
  constructor(backend: BackendName, reason: string, hint = '') {
    super('--backend', `${backend}: ${reason}${hint ? `; ${hint}` : ''}`);
    this.backend = backend;
    this.reason = reason;
  }
}

/** The npm package behind each native backend request. */
const NATIVE_PACKAGES = {
  tensorflow: '@tensorflow/tfjs-node',
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
} as const;

type NativeRequest = keyof typeof NATIVE_PACKAGES;

/** The native package imported successfully in this process, if any (both register the name `tensorflow`). */
let loadedNative: string | null = null;

/** Calls are serialised: a tfjs backend switch is global state, so two overlapping switches must not interleave. */
let queue: Promise<unknown> = Promise.resolve();

/** Whether `name` is a valid `--backend` value. */
export function isBackendName(name: unknown): name is BackendName {
  return typeof name === 'string' && (BACKEND_NAMES as readonly string[]).includes(name);
}

/**
 * Sets the TensorFlow.js backend and reports what was set.
 *
 * @remarks
 * `name` (the `--backend` value):
 * - `'wasm'` (default of the CLI through `'auto'` on a machine without native packages): works offline.
 * - `'cpu'`: the plain JavaScript backend.
 * - `'tensorflow'` / `'tensorflow-gpu'`: imports `@tensorflow/tfjs-node` / `@tensorflow/tfjs-node-gpu`; throws
 *   {@link BackendUnavailableError} with the setup line when the package is missing or fails to load, and for
 *   `'tensorflow-gpu'` also when TensorFlow sees no GPU. Apply {@link NATIVE_ENV_DEFAULTS} before the first call.
 * - `'webgpu'`: Dawn for Node (or the browser's `navigator.gpu`) on the first adapter, software ones included
 *   (SwiftShader through `VK_ICD_FILENAMES`); {@link BackendUnavailableError} when there is no adapter. In Node it
 *   reads only asynchronously: drive the trainer through its `…Async` methods there (src/nn/reading.ts).
 * - `'auto'`: tensorflow-gpu on a GPU, else webgpu on a hardware adapter (tried only where a GPU device exists),
 *   else tensorflow, else wasm (else cpu, if even the wasm module fails, e.g. in a browser that cannot fetch it);
 *   `skipped` says why each was passed over. Never throws for a missing package.
 *
 * Idempotent and safe to call repeatedly or concurrently: calls are serialised, a backend that is already
 * set is kept (no re-initialisation, tensors stay where they are), and Node caches the native import.
 * It also silences tfjs's one-time "install tfjs-node" banner, which the cpu backend prints on its first
 * tensor in Node, by marking that backend as already used (no console patching).
 *
 * @throws InvalidArgumentError (argument `--backend`) for a name not in {@link BACKEND_NAMES}.
 * @throws BackendUnavailableError when an explicitly named backend cannot be loaded.
 */
export function initBackend(name: BackendName = 'auto'): Promise<BackendInfo> {
  if (!isBackendName(name)) {
    return Promise.reject(new InvalidArgumentError('--backend', `one of ${BACKEND_NAMES.join(', ')}`, name));
  }
  const run = queue.then(() => initSerial(name));
  queue = run.catch(() => undefined);
  return run;
}

async function initSerial(requested: BackendName): Promise<BackendInfo> {
  silenceCpuBanner();
  switch (requested) {
    case 'wasm':
      await setWasm(requested);
      return describe(requested);
    case 'cpu':
      await setOrThrow('cpu', requested);
      return describe(requested);
    case 'tensorflow':
      await setNative(requested);
      return describe(requested);
    case 'tensorflow-gpu':
      // Asked for by name, a GPU it must be: tfjs-node-gpu on a machine without CUDA would run on the CPU.
      await setNative(requested, true);
      return describe(requested);
    case 'webgpu':
      await setWebGpu(requested, false);
      return describe(requested);
    case 'auto': {
      const skipped: string[] = [];
      const attempts: Array<[string, () => Promise<void>]> = [
        ['tensorflow-gpu', () => setNative('tensorflow-gpu', true)],
        ['webgpu', () => setWebGpuIfGpu()],
        ['tensorflow', () => setNative('tensorflow', false, true)],
      ];
      for (const [name, attempt] of attempts) {
        try {
          await attempt();
          return { ...(await describe(requested)), skipped };
        } catch (e) {
          skipped.push(`${name}: ${e instanceof BackendUnavailableError ? e.reason : firstLine(String(e))}`);
        }
      }
      try {
        await setWasm('wasm');
      } catch (e) {
        skipped.push(`wasm: ${e instanceof BackendUnavailableError ? e.reason : firstLine(String(e))}`);
        await setOrThrow('cpu', requested);
      }
      return { ...(await describe(requested)), skipped };
    }
  }
}

async function setWasm(requested: BackendName): Promise<void> {
  await setOrThrow('wasm', requested);
}

/** `tf.setBackend`, turning its `false` (initialisation failed) into a typed error. */
async function setOrThrow(backend: ActiveBackendName, requested: BackendName): Promise<void> {
  if (tf.getBackend() === backend) return;
  let ok: boolean;
  try {
    ok = await tf.setBackend(backend);
  } catch (e) {
    throw new BackendUnavailableError(requested, `the ${backend} backend failed to initialise (${firstLine(String(e))})`);
  }
  if (!ok) throw new BackendUnavailableError(requested, `the ${backend} backend failed to initialise`);
  await tf.ready();
}

/** How a user enables a native backend: offline with the project's setup, or with internet through npm. */
function installHint(pkg: string): string {
  const gpu = pkg.endsWith('-gpu');
  return (
    `enable it with \`npm run setup:native${gpu ? ' -- --gpu --libtensorflow DIR' : ''}\` (builds the addon offline against ` +
    `${gpu ? 'a CUDA-enabled libtensorflow in DIR' : "the TensorFlow C library of pip's tensorflow-cpu wheel"}), or with internet access ` +
    `\`npm install --no-save ${pkg}@${tf.version.tfjs}\` (its install script downloads libtensorflow${gpu ? '; needs CUDA on the machine' : ''}), or use --backend wasm`
  );
}

/**
 * Loads a native package and sets the `tensorflow` backend. `requireGpu`: fail (with the package loaded)
 * when TensorFlow sees no GPU, so that `auto` can go on to the next choice. `acceptLoaded`: take whichever
 * native package is already loaded (`auto` after tensorflow-gpu loaded without a GPU: it is a CPU backend too).
 */
async function setNative(requested: NativeRequest, requireGpu = false, acceptLoaded = false): Promise<void> {
  const pkg = acceptLoaded && loadedNative !== null ? loadedNative : NATIVE_PACKAGES[requested];
  if (loadedNative !== null && loadedNative !== pkg) {
    // Both packages register the backend name 'tensorflow'; the first one imported owns it.
    throw new BackendUnavailableError(requested, `${loadedNative} is already loaded in this process and owns the 'tensorflow' backend`);
  }
  if (loadedNative === null) {
    // A variable specifier: TypeScript and bundlers must not try to resolve an optional package.
    const specifier: string = pkg;
    try {
      await import(/* @vite-ignore */ specifier);
    } catch (e) {
      const reason = isNotFound(e, pkg) ? `${pkg} is not installed` : `${pkg} failed to load (${firstLine(String(e))})`;
      throw new BackendUnavailableError(requested, reason, installHint(pkg));
    }
    loadedNative = pkg;
  }
  if (!tf.engine().backendNames().includes('tensorflow')) {
    // The package loaded but registered its backend with another copy of @tensorflow/tfjs-core.
    throw new BackendUnavailableError(
      requested,
      `${pkg} loaded but registered no 'tensorflow' backend with this copy of @tensorflow/tfjs ${tf.version.tfjs}`,
      installHint(pkg),
    );
  }
  if (requireGpu && !nativeUsesGpu()) throw new BackendUnavailableError(requested, `${pkg} is loaded but TensorFlow sees no GPU`);
  await setOrThrow('tensorflow', requested);
}

/** The parts of tfjs-node's backend object read here (TF's version and whether it placed ops on a GPU). */
interface NativeBackendLike {
  binding?: { TF_Version?: string };
  isUsingGpuDevice?: boolean;
}

function nativeBackend(): NativeBackendLike | null {
  return tf.engine().backendNames().includes('tensorflow') ? (tf.findBackend('tensorflow') as unknown as NativeBackendLike | null) : null;
}

function nativeUsesGpu(): boolean {
  return Boolean(nativeBackend()?.isUsingGpuDevice);
}

// ---------------------------------------------------------------------------------------------------------
// WebGPU
// ---------------------------------------------------------------------------------------------------------

/** A WebGPU adapter as {@link BackendInfo} reports it. */
export interface WebGpuAdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  /** A CPU implementation of the GPU API (SwiftShader, llvmpipe/lavapipe, WARP, or `isFallbackAdapter`): right, slow. */
  software: boolean;
}

/** The subset of the WebGPU API used here (no DOM types in this build). */
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<{ info?: Partial<Record<'vendor' | 'architecture' | 'description' | 'device', string>>; isFallbackAdapter?: boolean } | null>;
}

/**
 * Whether this machine may have a GPU for WebGPU: always in a browser and on macOS/Windows; on Linux, a GPU
 * device node (/dev/nvidia0, /dev/dri, /dev/dxg under WSL, /dev/kfd). `auto` skips WebGPU without one, so that
 * Dawn is not even loaded where it could only find a software driver (and print its warnings about rejecting it).
 */
async function mayHaveGpu(): Promise<boolean> {
  const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu) return true;
  try {
    const fsName: string = 'node:fs';
    const osName: string = 'node:os';
    const [fs, os] = (await Promise.all([import(/* @vite-ignore */ fsName), import(/* @vite-ignore */ osName)])) as [{ existsSync(p: string): boolean }, { platform(): string }];
    if (os.platform() !== 'linux') return true;
    return ['/dev/nvidia0', '/dev/dri', '/dev/dxg', '/dev/kfd'].some((p) => fs.existsSync(p));
  } catch {
    return true; // not Node and no navigator.gpu: let the attempt say what is missing
  }
}

/** `auto`'s WebGPU attempt: a hardware adapter, and only where a GPU device exists. */
async function setWebGpuIfGpu(): Promise<void> {
  if (!(await mayHaveGpu())) throw new BackendUnavailableError('webgpu', 'no GPU device on this machine (/dev/nvidia0, /dev/dri, /dev/dxg, /dev/kfd)');
  await setWebGpu('webgpu', true);
}

/** The adapter found by the last successful {@link setWebGpu}, for {@link describe}. */
let webGpuAdapter: WebGpuAdapterInfo | null = null;

/**
 * `navigator.gpu`: the browser's, or in Node one made by Dawn (the `webgpu` package, `backend=vulkan`), with
 * its WebGPU classes (GPUBufferUsage, …) copied onto `globalThis`, where tfjs-backend-webgpu looks for them.
 * Which Vulkan driver Dawn uses is the Vulkan loader's choice: a real GPU's, or the one `VK_ICD_FILENAMES`
 * names (SwiftShader's `vk_swiftshader_icd.json` from Debian's chromium package, for tests without a GPU).
 */
async function webGpuEntry(requested: BackendName): Promise<GpuLike> {
  const g = globalThis as unknown as { navigator?: { gpu?: GpuLike } };
  if (g.navigator?.gpu) return g.navigator.gpu;
  const specifier: string = 'webgpu';
  let dawn: { create: (options: string[]) => GpuLike; globals: object };
  try {
    dawn = (await import(/* @vite-ignore */ specifier)) as typeof dawn;
  } catch (e) {
    throw new BackendUnavailableError(requested, `the webgpu package (Dawn for Node) failed to load (${firstLine(String(e))})`, 'it is a dependency: run `npm ci`');
  }
  const gpu = dawn.create(['backend=vulkan']);
  Object.assign(globalThis, dawn.globals);
  // Node 20 has no navigator; Node ≥ 21 has one without `gpu` (a getter, hence defineProperty).
  const nav = { ...(g.navigator ?? {}), gpu };
  Object.defineProperty(globalThis, 'navigator', { value: nav, configurable: true, writable: true });
  return gpu;
}

function adapterInfo(adapter: NonNullable<Awaited<ReturnType<GpuLike['requestAdapter']>>>): WebGpuAdapterInfo {
  const i = adapter.info ?? {};
  const vendor = i.vendor ?? '';
  const architecture = i.architecture ?? '';
  const description = i.description || i.device || '';
  const software = Boolean(adapter.isFallbackAdapter) || /swiftshader|llvmpipe|lavapipe|software|warp|basic render/i.test(`${vendor} ${architecture} ${description}`);
  return { vendor, architecture, description, software };
}

/**
 * Sets the `webgpu` backend on the first adapter (high-performance preference). `hardwareOnly` (for `auto`):
 * refuse a software adapter, which is correct but ~75× slower than wasm.
 */
async function setWebGpu(requested: BackendName, hardwareOnly: boolean): Promise<void> {
  if (tf.getBackend() === 'webgpu' && webGpuAdapter !== null) {
    if (hardwareOnly && webGpuAdapter.software) throw new BackendUnavailableError(requested, `only a software adapter (${webGpuAdapter.description})`);
    return;
  }
  const gpu = await webGpuEntry(requested);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) {
    throw new BackendUnavailableError(
      requested,
      'no WebGPU adapter (no Vulkan driver that Dawn accepts)',
      'on a machine without a GPU, point VK_ICD_FILENAMES at SwiftShader (Debian chromium: /usr/lib/chromium/vk_swiftshader_icd.json) to test the code path',
    );
  }
  const info = adapterInfo(adapter);
  if (hardwareOnly && info.software) throw new BackendUnavailableError(requested, `only a software adapter (${info.description || info.architecture})`);
  if (!tf.engine().backendNames().includes('webgpu')) {
    const backendSpecifier: string = '@tensorflow/tfjs-backend-webgpu';
    try {
      await import(/* @vite-ignore */ backendSpecifier);
    } catch (e) {
      throw new BackendUnavailableError(requested, `@tensorflow/tfjs-backend-webgpu failed to load (${firstLine(String(e))})`, 'it is a dependency: run `npm ci`');
    }
  }
  await setOrThrow('webgpu', requested);
  webGpuAdapter = info;
}

async function describe(requested: BackendName): Promise<BackendInfo> {
  const name = tf.getBackend() as ActiveBackendName;
  const info: BackendInfo = { name, requested, tfjsVersion: tf.version.tfjs, device: 'CPU' };
  if (name === 'wasm') {
    info.simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    info.threads = getThreadsCount();
    info.device = `CPU (WebAssembly${info.simd ? ' SIMD' : ''}, ${info.threads} thread${info.threads === 1 ? '' : 's'})`;
  } else if (name === 'cpu') {
    info.device = 'CPU (JavaScript)';
  } else if (name === 'tensorflow') {
    if (loadedNative !== null) info.nativePackage = loadedNative;
    const version = nativeBackend()?.binding?.TF_Version;
    if (version) info.tensorflowVersion = version;
    info.device = `${nativeUsesGpu() ? 'GPU' : 'CPU'} (TensorFlow ${version ?? '?'})`;
  } else if (name === 'webgpu' && webGpuAdapter !== null) {
    info.adapter = { ...webGpuAdapter };
    const a = webGpuAdapter;
    const what = [a.description, [a.vendor, a.architecture].filter(Boolean).join(', ')].filter(Boolean).join(' ');
    info.device = `${a.software ? 'software GPU' : 'GPU'}: ${what || 'unknown adapter'} (WebGPU)`;
  }
  return info;
}

/** One line for {@link BackendInfo}, e.g. `wasm (SIMD, 1 thread), tfjs 4.22.0`. */
export function formatBackendInfo(info: BackendInfo): string {
  const extras: string[] = [];
  if (info.simd !== undefined) extras.push(info.simd ? 'SIMD' : 'no SIMD');
  if (info.threads !== undefined) extras.push(`${info.threads} thread${info.threads === 1 ? '' : 's'}`);
  if (info.nativePackage !== undefined) extras.push(info.nativePackage);
  if (info.name === 'tensorflow') extras.push(info.device);
  if (info.name === 'webgpu') extras.push(info.device);
  const main = `${info.name}${extras.length ? ` (${extras.join(', ')})` : ''}, tfjs ${info.tfjsVersion}`;
  return info.requested === 'auto' || info.requested === info.name ? main : `${main}, requested ${info.requested}`;
}

/**
 * The cpu backend prints "Hi, looks like you are running TensorFlow.js in Node.js…" on its first tensor
 * write in Node (tfjs-backend-cpu's `MathBackendCPU.write`, guarded by its `firstUse` field). Tests and
 * data moves between backends touch the cpu backend, so the banner would appear even on wasm. Marking the
 * backend as used removes it without touching `console`; if a future tfjs drops the field, nothing happens.
 */
function silenceCpuBanner(): void {
  if (!tf.engine().backendNames().includes('cpu')) return;
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: unknown } | null;
  if (cpu !== null && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
}

/**
 * Whether an import failed because the package is absent (as opposed to present but broken, e.g. a
 * missing libtensorflow or CUDA): Node says "Cannot find package '<pkg>'", Vite's SSR loader (vitest) "Could not
 * resolve \"<pkg>\"".
 */
function isNotFound(e: unknown, pkg: string): boolean {
  // The package itself, quoted: a missing dependency OF the package names another package (in quotes).
  const text = String(e);
  return /Cannot find (package|module)|Could not resolve|Failed to (load|resolve)/.test(text) && (text.includes(`'${pkg}'`) || text.includes(`"${pkg}"`));
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}
