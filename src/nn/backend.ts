/**
 * Choosing the TensorFlow.js backend.
 *
 * Four backends can run the TensorFlow.js engine:
 *
 * | name | package | what it is |
 * |---|---|---|
 * | `wasm` (default) | `@tensorflow/tfjs-backend-wasm` (a dependency) | XNNPACK compiled to WebAssembly; ships its `.wasm` files, so it works offline. In Node it uses the SIMD build with **one thread** (tfjs disables wasm threads under Node). |
 * | `cpu` | bundled with `@tensorflow/tfjs` | plain JavaScript kernels; ~50× slower than wasm on matmul. A fallback. |
 * | `tensorflow` | `@tensorflow/tfjs-node` (optional peer) | libtensorflow, multi-threaded CPU. |
 * | `tensorflow-gpu` | `@tensorflow/tfjs-node-gpu` (optional peer) | libtensorflow with CUDA; registers itself under the backend name `tensorflow`. |
 *
 * The native packages download libtensorflow when they are installed, which needs internet access; that is
 * why they are optional peers and are loaded with a dynamic import whose specifier is a variable (so that
 * neither TypeScript nor a bundler tries to resolve them). A user with internet enables them with
 * `npm install @tensorflow/tfjs-node@4.22.0` (or `@tensorflow/tfjs-node-gpu@4.22.0`), the version matching
 * `@tensorflow/tfjs`.
 *
 * Speed traps of the wasm backend, and the ops that avoid them, are in `ops.ts`.
 *
 * @see shared/notes/ecosystem.md §1–§2 (measured facts), issue 4 ("Backends").
 */
import * as tf from '@tensorflow/tfjs';
// Importing the package registers the 'wasm' backend factory with the engine.
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { DeltaStnError, InvalidArgumentError } from '../errors.js';

/** Every value `--backend` accepts. */
export const BACKEND_NAMES = ['auto', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu'] as const;

/**
 * A backend request: `auto` picks the fastest one available (tensorflow-gpu, then tensorflow, then wasm);
 * the others name one backend and fail with {@link BackendUnavailableError} when it cannot be loaded.
 */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** The tfjs backend names that {@link initBackend} can end up on. */
export type ActiveBackendName = 'wasm' | 'cpu' | 'tensorflow';

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
 *   {@link BackendUnavailableError} with the `npm install` line when the package is missing or fails to load.
 * - `'auto'`: tensorflow-gpu if it loads, else tensorflow if it loads, else wasm (else cpu, if even the wasm
 *   module fails, e.g. in a browser that cannot fetch it). Never throws for a missing package.
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
    case 'tensorflow-gpu':
      await setNative(requested);
      return describe(requested);
    case 'auto': {
      const skipped: string[] = [];
      for (const native of ['tensorflow-gpu', 'tensorflow'] as const) {
        try {
          await setNative(native);
          return { ...(await describe(requested)), skipped };
        } catch (e) {
          skipped.push(`${native}: ${e instanceof BackendUnavailableError ? e.reason : firstLine(String(e))}`);
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

/** How a user with internet access enables a native backend. */
function installHint(pkg: string): string {
  return (
    `enable it with \`npm install ${pkg}@${tf.version.tfjs}\` (its install script downloads libtensorflow, ` +
    `so it needs internet access${pkg.endsWith('-gpu') ? ' and CUDA on the machine' : ''}), or use --backend wasm`
  );
}

async function setNative(requested: NativeRequest): Promise<void> {
  const pkg = NATIVE_PACKAGES[requested];
  if (loadedNative !== null && loadedNative !== pkg) {
    // Both packages register the backend name 'tensorflow'; the first one imported owns it.
    throw new BackendUnavailableError(requested, `${loadedNative} is already loaded in this process and owns the 'tensorflow' backend`);
  }
  if (loadedNative === null) {
    // A variable specifier: TypeScript and bundlers must not try to resolve an optional peer dependency.
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
  await setOrThrow('tensorflow', requested);
}

async function describe(requested: BackendName): Promise<BackendInfo> {
  const name = tf.getBackend() as ActiveBackendName;
  const info: BackendInfo = { name, requested, tfjsVersion: tf.version.tfjs };
  if (name === 'wasm') {
    info.simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    info.threads = getThreadsCount();
  }
  if (name === 'tensorflow' && loadedNative !== null) info.nativePackage = loadedNative;
  return info;
}

/** One line for {@link BackendInfo}, e.g. `wasm (SIMD, 1 thread), tfjs 4.22.0`. */
export function formatBackendInfo(info: BackendInfo): string {
  const extras: string[] = [];
  if (info.simd !== undefined) extras.push(info.simd ? 'SIMD' : 'no SIMD');
  if (info.threads !== undefined) extras.push(`${info.threads} thread${info.threads === 1 ? '' : 's'}`);
  if (info.nativePackage !== undefined) extras.push(info.nativePackage);
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
