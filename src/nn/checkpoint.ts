/**
 * Checkpoints of a {@link TrainerState} on disk (Node only), written and read through the file primitives of
 * src/stateFiles.ts.
 *
 * @remarks
 * **Checkpoint format (version 2).** `<dir>/checkpoint.json` holds the scalars, λ, s, the optimizers' states,
 * the caller's `meta` (for `deltastn tune`: the run's configuration) and the layout of the float32 arrays,
 * which go to `<dir>/checkpoint.bin`. `digest` is SHA-256 over the whole checkpoint:
 * digest = SHA-256(JSON.stringify({version, meta, state, layout}) ‖ 0x00 ‖ bytes of checkpoint.bin), so an edited
 * λ, epoch or meta is detected as surely as a flipped bit in the arrays. Version 1 (the previous release) had a
 * checksum of checkpoint.bin only; it is still read, with the same schema checks, and the next save writes
 * version 2.
 *
 * **Atomicity.** Both files are written completely (and fsync'ed) under fixed temporary names
 * (`checkpoint.bin.tmp`, `checkpoint.json.tmp`), then renamed, the bin first. A kill at any point leaves either
 * the previous checkpoint, or the new bin beside the previous json and the complete new json under its temporary
 * name: {@link loadCheckpoint} then finds that the digest of checkpoint.json fails, that of
 * checkpoint.json.tmp holds, and finishes the save (rolls forward). Any other mismatch is a
 * {@link CheckpointError}.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { OutputPathError, StateFileError, createOutputDirectory, isFile, reasonOf, statOrNull, writeDurable } from '../stateFiles.js';
import type { TrainerState } from './trainer.js';

// The file primitives and state-file errors live in src/stateFiles.ts; re-exported here for existing importers.
export { OutputPathError, StateFileError, appendLine, checkOutputDirectory, checkOutputFile, createOutputDirectory, isFile, readJsonLines, readJsonStateFile, readStateText, reasonOf, truncateFile, writeFileAtomic } from '../stateFiles.js';

/** A checkpoint that cannot be read (missing, corrupt, edited, or from another model); names `--resume`. */
export class CheckpointError extends StateFileError {
  constructor(argument: string, message: string, file = 'checkpoint') {
    super(argument, file, message);
  }
}

interface Manifest {
  version: 1 | 2;
  meta: unknown;
  state: Omit<TrainerState, 'weights' | 'generalMomentum' | 'responseMomentum'>;
  layout: { weights: number[]; generalMomentum: number[]; responseMomentum: number[] };
  /** Version 1: SHA-256 (hex) of checkpoint.bin only. */
  checksum?: string;
  /** Version 2: SHA-256 (hex) of the whole checkpoint (see the module remarks). */
  digest?: string;
}

const STATE_KEYS = ['epoch', 'trainSteps', 'hyperSteps', 'lambda', 'rawScale', 'lambdaOptimizer', 'scaleOptimizer', 'bestVal', 'epochsSinceBest', 'learningRate'] as const;

function sha256(...parts: (string | Uint8Array)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** The version-2 digest: JSON of everything but the arrays, a zero byte, the arrays' bytes. */
function digestOf(m: Pick<Manifest, 'meta' | 'state' | 'layout'>, bin: Uint8Array): string {
  return sha256(JSON.stringify({ version: 2, meta: m.meta, state: m.state, layout: m.layout }), new Uint8Array([0]), bin);
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
const isNumberArray = (x: unknown, finite: boolean): x is number[] => Array.isArray(x) && x.every((v) => typeof v === 'number' && (!finite || Number.isFinite(v)));

/**
 * Checks every field of a parsed checkpoint.json; a bad one is a CheckpointError naming it. The arrays of the
 * state agree with each other: λ, s and both optimizers' moments have one entry per hyperparameter; no field
 * outside the schema is accepted (an edited file is not a checkpoint).
 */
function checkManifest(m: unknown, file: string): asserts m is Manifest {
  const bad = (field: string, expected: string): never => {
    throw new CheckpointError('--resume', `${field} should be ${expected}`, file);
  };
  if (!isRecord(m)) bad('the top level', 'an object');
  const o = m as Record<string, unknown>;
  if (o.version !== 1 && o.version !== 2) throw new CheckpointError('--resume', `unknown checkpoint version ${JSON.stringify(o.version) ?? 'undefined'} (this deltastn reads 1 and 2)`, file);
  const allowed = o.version === 2 ? ['version', 'meta', 'state', 'layout', 'digest'] : ['version', 'meta', 'state', 'layout', 'checksum'];
  for (const k of Object.keys(o)) if (!allowed.includes(k)) bad(`field ${JSON.stringify(k)}`, `absent (a version-${o.version} checkpoint has ${allowed.join(', ')})`);
  if (!isRecord(o.layout)) bad('layout', 'an object');
  const layout = o.layout as Record<string, unknown>;
  for (const k of ['weights', 'generalMomentum', 'responseMomentum']) {
    if (!Array.isArray(layout[k]) || !(layout[k] as unknown[]).every(isCount)) bad(`layout.${k}`, 'an array of array lengths (integers ≥ 0)');
  }
  if (!isRecord(o.state)) bad('state', 'an object');
  const st = o.state as Record<string, unknown>;
  for (const k of Object.keys(st)) if (!(STATE_KEYS as readonly string[]).includes(k)) bad(`state.${k}`, 'absent (not a field of a trainer state)');
  for (const k of ['epoch', 'trainSteps', 'hyperSteps', 'epochsSinceBest']) if (!isCount(st[k])) bad(`state.${k}`, 'an integer ≥ 0');
  for (const k of ['lambda', 'rawScale']) if (!isNumberArray(st[k], true)) bad(`state.${k}`, 'an array of finite numbers');
  const h = (st.lambda as number[]).length;
  if ((st.rawScale as number[]).length !== h) bad('state.rawScale', `an array of ${h} numbers (one per hyperparameter, as state.lambda)`);
  if (typeof st.learningRate !== 'number' || !(st.learningRate > 0) || !Number.isFinite(st.learningRate)) bad('state.learningRate', 'a finite number > 0');
  if (typeof st.bestVal !== 'number' || Number.isNaN(st.bestVal)) bad('state.bestVal', 'a number');
  for (const k of ['lambdaOptimizer', 'scaleOptimizer']) {
    const v = st[k];
    if (!isRecord(v) || !isCount(v.step) || !isNumberArray(v.first, true) || !isNumberArray(v.second, true)) bad(`state.${k}`, '{ step, first, second } with finite moments');
    const opt = v as { first: number[]; second: number[] };
    if ((opt.first.length !== 0 && opt.first.length !== h) || (opt.second.length !== 0 && opt.second.length !== h)) bad(`state.${k}`, `moments of length ${h} (one per hyperparameter) or empty`);
  }
  if (o.version === 2 && (typeof o.digest !== 'string' || !/^[0-9a-f]{64}$/.test(o.digest))) bad('digest', 'a SHA-256 hex string');
  if (o.version === 1 && (typeof o.checksum !== 'string' || !/^[0-9a-f]{64}$/.test(o.checksum))) bad('checksum', 'a SHA-256 hex string (an unchecked version-1 checkpoint is not read)');
}

/**
 * Writes `state` (and any JSON `meta`, e.g. the run's configuration) to `dir` (see the module remarks:
 * version 2, one digest over everything, atomic with roll-forward). `dir` must exist or be creatable.
 * @throws OutputPathError naming `--out` when a file cannot be written.
 */
export function saveCheckpoint(dir: string, state: TrainerState, meta: unknown = null): void {
  createOutputDirectory(dir, '--out');
  const arrays = [...state.weights, ...state.generalMomentum, ...state.responseMomentum];
  const total = arrays.reduce((a, x) => a + x.length, 0);
  const bin = new Float32Array(total);
  let offset = 0;
  for (const a of arrays) {
    bin.set(a, offset);
    offset += a.length;
  }
  const { weights, generalMomentum, responseMomentum, ...rest } = state;
  const bytes = new Uint8Array(bin.buffer);
  // Through JSON once, so that the digest is computed over exactly what a reader parses back.
  const stored = JSON.parse(
    JSON.stringify({
      meta: meta === undefined ? null : meta,
      state: { ...rest, bestVal: Number.isFinite(rest.bestVal) ? rest.bestVal : 1e308 },
      layout: { weights: weights.map((a) => a.length), generalMomentum: generalMomentum.map((a) => a.length), responseMomentum: responseMomentum.map((a) => a.length) },
    }),
  ) as Pick<Manifest, 'meta' | 'state' | 'layout'>;
  const manifest: Manifest = { version: 2, ...stored, digest: digestOf(stored, bytes) };
  const path = (f: string): string => join(dir, f);
  try {
    writeDurable(path('checkpoint.bin.tmp'), bytes);
    writeDurable(path('checkpoint.json.tmp'), JSON.stringify(manifest));
    renameSync(path('checkpoint.bin.tmp'), path('checkpoint.bin'));
    renameSync(path('checkpoint.json.tmp'), path('checkpoint.json'));
  } catch (e) {
    throw new OutputPathError('--out', dir, 'a directory where the checkpoint can be written', reasonOf(e));
  }
}

/** True when `dir` holds a checkpoint (checkpoint.json and checkpoint.bin, both regular files). */
export function hasCheckpoint(dir: string): boolean {
  return isFile(join(dir, 'checkpoint.json')) && isFile(join(dir, 'checkpoint.bin'));
}

function parseManifest(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CheckpointError('--resume', `cannot be read (${reasonOf(e)})`, path);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CheckpointError('--resume', `not valid JSON (${reasonOf(e)})`, path);
  }
}

/** Whether manifest `m` describes exactly the bytes `raw` (the digest, or version 1's checksum of the bin). */
function matches(m: Manifest, raw: Uint8Array): boolean {
  return m.version === 2 ? digestOf(m, raw) === m.digest : sha256(raw) === m.checksum;
}

/**
 * Reads a checkpoint written by {@link saveCheckpoint}: the state and the `meta` saved with it. Every field is
 * checked against the schema and the digest covers all of it (module remarks); `meta` is returned as stored:
 * the caller checks it against its own schema.
 * @throws CheckpointError naming `--resume` and the file: missing, a directory in place of a file, not JSON,
 *   a field of the wrong type, a digest that does not match (a flipped bit, an edited field, a bin from
 *   another save).
 */
export function loadCheckpoint(dir: string): { state: TrainerState; meta: unknown } {
  const jsonPath = join(dir, 'checkpoint.json');
  const binPath = join(dir, 'checkpoint.bin');
  for (const p of [jsonPath, binPath]) {
    let st: Stats | null = null;
    try {
      st = statOrNull(p);
    } catch (e) {
      throw new CheckpointError('--resume', `cannot be read (${reasonOf(e)})`, p);
    }
    if (st === null) throw new CheckpointError('--resume', `no checkpoint (checkpoint.json + checkpoint.bin) in ${dir}`, dir);
    if (!st.isFile()) throw new CheckpointError('--resume', 'should be a regular file (found a directory or a device)', p);
  }
  const parsed = parseManifest(jsonPath);
  checkManifest(parsed, jsonPath);
  let manifest: Manifest = parsed;
  let raw: Buffer;
  try {
    raw = readFileSync(binPath);
  } catch (e) {
    throw new CheckpointError('--resume', `cannot be read (${reasonOf(e)})`, binPath);
  }
  if (!matches(manifest, raw)) {
    // A save killed between its two renames: the new bin is in place, its json still under the temporary name.
    const tmpPath = join(dir, 'checkpoint.json.tmp');
    let rolled = false;
    if (isFile(tmpPath)) {
      try {
        const next = parseManifest(tmpPath);
        checkManifest(next, tmpPath);
        if (matches(next, raw)) {
          renameSync(tmpPath, jsonPath);
          manifest = next;
          rolled = true;
        }
      } catch {
        // not a finished save: fall through to the error below
      }
    }
    if (!rolled) {
      throw new CheckpointError(
        '--resume',
        `does not match checkpoint.bin: the ${manifest.version === 2 ? 'digest over the whole checkpoint' : 'checksum of checkpoint.bin'} fails (a corrupt or edited file, or a bin from another save)`,
        jsonPath,
      );
    }
  }
  // A length that is not a multiple of 4 would make `new Float32Array` throw a RangeError.
  if (raw.byteLength % 4 !== 0) throw new CheckpointError('--resume', `holds ${raw.byteLength} bytes, not a whole number of float32 values`, binPath);
  const bin = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const { layout } = manifest;
  const expected = [...layout.weights, ...layout.generalMomentum, ...layout.responseMomentum].reduce((a, b) => a + b, 0);
  if (bin.length !== expected) throw new CheckpointError('--resume', `holds ${bin.length} floats, checkpoint.json's layout says ${expected}`, binPath);
  let offset = 0;
  const take = (sizes: number[]): Float32Array[] =>
    sizes.map((n) => {
      const a = bin.slice(offset, offset + n);
      offset += n;
      return a;
    });
  const weights = take(layout.weights);
  const generalMomentum = take(layout.generalMomentum);
  const responseMomentum = take(layout.responseMomentum);
  const s = manifest.state;
  return { state: { ...s, bestVal: s.bestVal >= 1e308 ? Infinity : s.bestVal, weights, generalMomentum, responseMomentum }, meta: manifest.meta };
}
