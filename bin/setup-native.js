#!/usr/bin/env node
/**
 * `npm run setup:native`: the native TensorFlow backend (`--backend tensorflow`), installed offline.
 *
 * `@tensorflow/tfjs-node`'s own install script downloads libtensorflow 2.9.1 and a prebuilt addon, which a
 * machine without internet cannot do. The addon itself is plain N-API C++ over TensorFlow's stable C API,
 * so this script builds it from the package's source against the C library that ships inside the
 * `tensorflow-cpu` Python wheel (whose `libtensorflow_cc.so.2` + `libtensorflow_framework.so.2` export every
 * `TF_`/`TFE_` symbol the addon calls and need no libpython):
 *
 *   1. the library: `.native/tensorflow-cpu-<v>/{lib,include}`, cut out of the wheel (from `--wheel FILE`,
 *      `$DELTASTN_TF_WHEEL`, or `pip download tensorflow-cpu==<v>` from pip's configured index) and stripped;
 *   2. the npm package, without its install script: `npm install --no-save --ignore-scripts`;
 *   3. `node_modules/@tensorflow/tfjs-node/deps` → that folder, with the file names binding.gyp links;
 *   4. the addon, built by node-pre-gyp/node-gyp from source against Node's headers (no download);
 *   5. a check in a fresh process: the backend loads, a matmul is right, TF's version is printed.
 *
 * Idempotent: each step is skipped when its result is already there, and a working install is left alone
 * (`--force` rebuilds). Nothing here is needed for `npm ci && npm start` (wasm stays the default).
 *
 * `--libtensorflow DIR` builds against a libtensorflow you already have instead of the wheel's.
 * GPU: `--gpu --libtensorflow DIR` builds `@tensorflow/tfjs-node-gpu` the same way against a CUDA-enabled
 * libtensorflow you already have (DIR holds `lib/libtensorflow.so.2` or `lib/libtensorflow_cc.so.2`, and
 * `include/tensorflow/c/c_api.h`). No such library can be had offline here: the CUDA `tensorflow` wheel is
 * not in the local index.
 *
 * Usage: node bin/setup-native.js [--gpu] [--libtensorflow DIR] [--wheel FILE] [--force] [--check]
 *   --check   only report whether the native backend loads (exit 0) or not (exit 1); changes nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, lstatSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The TensorFlow release whose C library the CPU addon is built against (the local index holds it). */
const TF_VERSION = process.env.DELTASTN_TF_VERSION ?? '2.21.0';
/** What binding.gyp links (`-ltensorflow -ltensorflow_framework`) and what install.js checks for. */
const LINK_NAMES = { tensorflow: ['libtensorflow.so', 'libtensorflow.so.2', 'libtensorflow.so.2.9.1'], framework: ['libtensorflow_framework.so', 'libtensorflow_framework.so.2.9.1'] };
/** The wheel members the addon needs: the two libraries and the C API headers. */
const WHEEL_MEMBERS = [
  'tensorflow/libtensorflow_cc.so.2',
  'tensorflow/libtensorflow_framework.so.2',
  'tensorflow/include/tensorflow/c/',
  'tensorflow/include/tensorflow/core/platform/ctstring',
  'tensorflow/include/tsl/platform/ctstring',
  'tensorflow/include/xla/tsl/c/',
];

const USAGE = 'usage: node bin/setup-native.js [--gpu] [--libtensorflow DIR] [--wheel FILE] [--force] [--check] [--help]';
let opts;
try {
  ({ values: opts } = parseArgs({
    options: {
      gpu: { type: 'boolean', default: false },
      libtensorflow: { type: 'string' },
      wheel: { type: 'string' },
      force: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (e) {
  // An unknown option or a missing value: one line and the usage, exit 2 (no stack trace).
  console.error(`setup:native: ${e.message}\n${USAGE}`);
  process.exit(2);
}

if (opts.help) {
  // The usage and option notes of this file's header comment.
  console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith(' * Usage') || l.startsWith(' *   --')).map((l) => l.slice(3)).join('\n'));
  process.exit(0);
}


const PKG = opts.gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
const OTHER = opts.gpu ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu';
const PKG_DIR = join(ROOT, 'node_modules', PKG);
/** Which library each package was last built against (so that reinstalling one can rebuild the other). */
const BUILT = join(ROOT, '.native/built.json');
const TFJS_VERSION = readJson(join(ROOT, 'node_modules/@tensorflow/tfjs/package.json'))?.version;

class SetupError extends Error {}

const say = (s) => console.log(`setup:native: ${s}`);

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** Runs a command; returns its result; throws SetupError with `what` and the command's last lines when it fails. */
function run(cmd, args, what, options = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  if (r.error || r.status !== 0) {
    const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-12).join('\n');
    throw new SetupError(`${what} failed (${cmd} ${args.join(' ')}${r.error ? `: ${r.error.message}` : `, exit ${r.status}`})${tail ? `\n${tail}` : ''}`);
  }
  return r;
}

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

/**
 * Loads the package in a fresh process and multiplies two matrices on its backend. Returns
 * `{ tf: TF version, gpu: whether TF sees a GPU }`, or `{ error }`.
 */
function probe(pkg) {
  const code = `
    process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
    const tf = require(${JSON.stringify(pkg)});
    const b = tf.backend();
    const c = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]])).dataSync();
    if (tf.getBackend() !== 'tensorflow' || [...c].join() !== '19,22,43,50') throw new Error('wrong result ' + [...c]);
    console.log(JSON.stringify({ tf: b.binding.TF_Version, gpu: Boolean(b.isUsingGpuDevice) }));`;
  const r = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) return { error: (r.stderr || r.stdout).trim().split('\n').filter((l) => /Error|error:|cannot/.test(l))[0] ?? `exit ${r.status}` };
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    return { error: `unexpected output: ${r.stdout.slice(0, 200)}` };
  }
}

/** Whether `dir` holds a libtensorflow the addon can link: the library, the framework and the C API header. */
function libraryComplete(dir) {
  const lib = join(dir, 'lib');
  return (
    existsSync(join(dir, 'include/tensorflow/c/c_api.h')) &&
    existsSync(join(dir, 'include/tensorflow/c/eager/c_api.h')) &&
    ['libtensorflow_cc.so.2', 'libtensorflow.so.2'].some((f) => existsSync(join(lib, f))) &&
    existsSync(join(lib, 'libtensorflow_framework.so.2'))
  );
}

/** The wheel: the given file, or pip's download of tensorflow-cpu==TF_VERSION into .native/wheels. */
function obtainWheel() {
  const given = opts.wheel ?? process.env.DELTASTN_TF_WHEEL;
  if (given) {
    if (!existsSync(given)) throw new SetupError(`--wheel ${given}: no such file`);
    return resolve(given);
  }
  const dir = join(ROOT, '.native/wheels');
  const found = () => (existsSync(dir) ? readdirSync(dir).find((f) => f.startsWith(`tensorflow_cpu-${TF_VERSION}-`) && f.endsWith('.whl')) : undefined);
  if (!found()) {
    const python = ['python3', 'python'].find(has);
    if (!python) throw new SetupError('no python3 with pip on this machine, so no tensorflow-cpu wheel can be fetched');
    say(`fetching the tensorflow-cpu ${TF_VERSION} wheel with pip (from pip's configured index) …`);
    mkdirSync(dir, { recursive: true });
    // Only the C library is used, so any CPython tag will do: ask for the 3.11 manylinux build explicitly,
    // which also works where the local python is another version. --retries 0: fail fast offline.
    const args = ['-m', 'pip', 'download', '--no-deps', '--retries', '0', '--timeout', '15', '--only-binary=:all:', '--python-version', '3.11',
      '--platform', 'manylinux_2_27_x86_64', '--platform', 'manylinux2014_x86_64', `tensorflow-cpu==${TF_VERSION}`, '-d', dir];
    try {
      run(python, args, 'pip download', { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      throw new SetupError(`no tensorflow-cpu ${TF_VERSION} wheel could be had from pip's index (${e.message.split('\n').slice(-1)[0]})`);
    }
  }
  const wheel = found();
  if (!wheel) throw new SetupError(`pip reported success but left no tensorflow_cpu-${TF_VERSION}-*.whl in ${dir}`);
  return join(dir, wheel);
}

/** Extracts the libraries and headers from the wheel into `dir` (python's zipfile: no unzip needed), then strips them. */
function extractWheel(wheel, dir) {
  say(`extracting the C library and headers from ${relative(ROOT, wheel) || wheel} …`);
  const tmp = `${dir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'lib'), { recursive: true });
  const py = `
import sys, zipfile, os, shutil
wheel, out, prefixes = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(wheel) as z:
    n = 0
    for m in z.namelist():
        if not any(m.startswith(p) for p in prefixes) or m.endswith('/'):
            continue
        rel = m[len('tensorflow/'):]
        dest = os.path.join(out, 'lib', os.path.basename(rel)) if rel.startswith('lib') else os.path.join(out, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with z.open(m) as src, open(dest, 'wb') as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        n += 1
    print(n)`;
  const python = ['python3', 'python'].find(has);
  if (!python) throw new SetupError('python3 is needed to read the wheel');
  run(python, ['-c', py, wheel, tmp, ...WHEEL_MEMBERS], 'extracting the wheel');
  if (!libraryComplete(tmp)) throw new SetupError(`${wheel} does not hold the TensorFlow C library and headers (is it a tensorflow-cpu wheel?)`);
  if (has('strip')) {
    // 815 MB → 583 MB; the dynamic symbol table the addon links against is kept.
    run('strip', ['--strip-unneeded', join(tmp, 'lib/libtensorflow_cc.so.2'), join(tmp, 'lib/libtensorflow_framework.so.2')], 'strip');
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

/** Symlinks, in `dir/lib`, the names binding.gyp and install.js look for. */
function linkNames(dir) {
  const lib = join(dir, 'lib');
  const main = existsSync(join(lib, 'libtensorflow_cc.so.2')) ? 'libtensorflow_cc.so.2' : 'libtensorflow.so.2';
  const link = (target, name) => {
    const p = join(lib, name);
    if (name === target) return;
    if (existsSync(p) && !lstatSync(p).isSymbolicLink()) return; // a real file of that name: leave it
    rmSync(p, { force: true });
    symlinkSync(target, p);
  };
  for (const n of LINK_NAMES.tensorflow) link(main, n);
  for (const n of LINK_NAMES.framework) link('libtensorflow_framework.so.2', n);
}

/** The library folder: `--libtensorflow DIR` as given, or the one cut from the CPU wheel. */
function obtainLibrary() {
  if (opts.libtensorflow) {
    const dir = resolve(opts.libtensorflow);
    if (!libraryComplete(dir)) {
      throw new SetupError(`--libtensorflow ${dir}: expected lib/libtensorflow.so.2 (or lib/libtensorflow_cc.so.2), lib/libtensorflow_framework.so.2 and include/tensorflow/c/c_api.h`);
    }
    return dir;
  }
  if (opts.gpu) {
    throw new SetupError(
      '--gpu needs --libtensorflow DIR: a CUDA-enabled libtensorflow (a libtensorflow-gpu tarball, or the lib and include folders of a CUDA `tensorflow` wheel). ' +
        'None can be had offline on this machine (the local index holds only tensorflow-cpu)',
    );
  }
  const dir = join(ROOT, `.native/tensorflow-cpu-${TF_VERSION}`);
  if (libraryComplete(dir)) {
    say(`library: ${relative(ROOT, dir)} (already there)`);
  } else {
    const wheel = obtainWheel();
    extractWheel(wheel, dir);
    // A wheel pip fetched into .native/wheels is not needed once cut (274 MB); one the user gave is theirs.
    if (wheel.startsWith(join(ROOT, '.native/wheels'))) rmSync(wheel, { force: true });
    say(`library: ${relative(ROOT, dir)}`);
  }
  return dir;
}

/** `npm install --no-save --ignore-scripts` of the package (and of the other native package, if present, which npm would otherwise prune). */
function installPackage() {
  const present = readJson(join(PKG_DIR, 'package.json'));
  if (present?.version === TFJS_VERSION && existsSync(join(ROOT, 'node_modules/@mapbox/node-pre-gyp/package.json'))) {
    say(`${PKG}@${TFJS_VERSION}: installed`);
    return;
  }
  const specs = [`${PKG}@${TFJS_VERSION}`];
  // npm would prune the other native package (it is in no package.json): install it again too, then rebuild it.
  if (readJson(join(ROOT, 'node_modules', OTHER, 'package.json'))?.version === TFJS_VERSION) specs.push(`${OTHER}@${TFJS_VERSION}`);
  say(`installing ${specs.join(' ')} without its download script …`);
  run('npm', ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', ...specs], 'npm install');
  if (!existsSync(join(PKG_DIR, 'package.json'))) throw new SetupError(`npm install finished but ${PKG} is not in node_modules`);
}

/** node_modules/<pkg>/deps → the library folder. */
function linkDeps(libDir, pkgDir = PKG_DIR) {
  const deps = join(pkgDir, 'deps');
  const target = relative(pkgDir, libDir);
  if (existsSync(deps) || isLink(deps)) {
    if (isLink(deps) && readlinkSync(deps) === target) return false;
    rmSync(deps, { recursive: true, force: true });
  }
  symlinkSync(target, deps);
  return true;
}

function isLink(p) {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Node's headers for node-gyp: npm's nodedir, else the prefix of this node binary if it has include/node. */
function nodeDir() {
  const fromNpm = spawnSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8' }).stdout?.trim();
  if (fromNpm && fromNpm !== 'undefined' && existsSync(join(fromNpm, 'include/node/node_api.h'))) return fromNpm;
  const prefix = resolve(dirname(process.execPath), '..');
  if (existsSync(join(prefix, 'include/node/node_api.h'))) return prefix;
  return undefined;
}

function buildAddon(pkg = PKG) {
  const pkgDir = join(ROOT, 'node_modules', pkg);
  say(`building the ${pkg} addon from source (node-gyp) …`);
  const preGyp = join(ROOT, 'node_modules/@mapbox/node-pre-gyp/bin/node-pre-gyp');
  if (!existsSync(preGyp)) throw new SetupError('@mapbox/node-pre-gyp (a dependency of tfjs-node) is missing from node_modules');
  if (!has('make') || !(has('g++') || has('c++'))) throw new SetupError('building the addon needs make and a C++ compiler (Debian: apt-get install build-essential)');
  const env = { ...process.env, npm_config_build_from_source: 'true' };
  const nd = nodeDir();
  if (nd) env.npm_config_nodedir = nd;
  else say("warning: no Node headers found locally (npm config nodedir); node-gyp will try to download them");
  rmSync(join(pkgDir, 'lib'), { recursive: true, force: true });
  run(process.execPath, [preGyp, 'install', '--build-from-source'], 'building the addon', { cwd: pkgDir, env });
}

/** After an npm install, the other native package (reinstalled without its addon) is rebuilt against its library. */
function rebuildOther() {
  if (!existsSync(join(ROOT, 'node_modules', OTHER, 'package.json')) || !probe(OTHER).error) return;
  const libDir = readJson(BUILT)?.[OTHER];
  if (!libDir || !libraryComplete(libDir)) {
    say(`warning: ${OTHER} lost its addon in the reinstall and its library is unknown: run its setup again`);
    return;
  }
  linkDeps(libDir, join(ROOT, 'node_modules', OTHER));
  buildAddon(OTHER);
  const r = probe(OTHER);
  say(r.error ? `warning: ${OTHER} still does not load (${r.error})` : `${OTHER} rebuilt: TensorFlow ${r.tf}`);
}

function recordBuilt(libDir) {
  mkdirSync(dirname(BUILT), { recursive: true });
  writeFileSync(BUILT, JSON.stringify({ ...(readJson(BUILT) ?? {}), [PKG]: libDir }, null, 2) + '\n');
}

function main() {
  if (!TFJS_VERSION) throw new SetupError('node_modules/@tensorflow/tfjs is missing: run `npm ci` first');
  const before = probe(PKG);
  if (opts.check) {
    if (before.error) {
      say(`${PKG}: not working (${before.error})`);
      process.exit(1);
    }
    say(`${PKG}: working, TensorFlow ${before.tf}${before.gpu ? ', on a GPU' : ', CPU'}`);
    return;
  }
  if (!before.error && !opts.force) {
    say(`${PKG} already works here: TensorFlow ${before.tf}${before.gpu ? ', on a GPU' : ', CPU'}; nothing to do (--force rebuilds)`);
    return;
  }
  const t0 = Date.now();
  const libDir = obtainLibrary();
  linkNames(libDir);
  installPackage();
  linkDeps(libDir);
  buildAddon();
  const after = probe(PKG);
  if (after.error) throw new SetupError(`the addon built but does not load: ${after.error}`);
  recordBuilt(libDir);
  rebuildOther();
  say(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${PKG} on TensorFlow ${after.tf}${after.gpu ? ' (GPU)' : ' (CPU)'}; \`--backend auto\` now picks it`);
  say('(npm ci or npm install prune this package: run `npm run setup:native` again afterwards; the library is kept in .native/)');
}

try {
  main();
} catch (e) {
  if (!(e instanceof SetupError)) throw e;
  console.error(`setup:native: FAILED: ${e.message}`);
  console.error(
    `setup:native: with internet access, \`npm install --no-save ${PKG}@${TFJS_VERSION ?? '4.22.0'}\` is all you need (its install script downloads libtensorflow); ` +
      'without the native backend everything still runs on wasm.',
  );
  process.exit(1);
}
