/**
 * The studies of issue 17 as the runs notebook shows them: each study's result file `docs/evidence/<name>.json`
 * (written by `node studies/run.mjs <name> [--evidence-only]`), read into what the page draws — its tables, the
 * hyperparameter schedules with their σ bands, the validation curves, the ablations' sensitivity points — or,
 * for a study that has not run, the command that runs it.
 *
 * @remarks
 * Pure functions of the parsed JSON (no DOM): the browser test computes the same rows in Node from the same
 * files. A result file of another shape gives a section with a warning, never a thrown error.
 */

/** The studies, in the order the page shows them. */
export const EVIDENCE_STUDIES = ['mnist-mlp', 'fashion-cnn', 'ablations', 'best-response'] as const;
export type EvidenceStudyName = (typeof EVIDENCE_STUDIES)[number];

/** One table: a caption, its header and rows of cells (plain text), and notes. */
export interface EvidenceTable {
  caption: string;
  header: string[];
  rows: string[][];
  notes: string[];
}

/** One point of a schedule: hyperparameter `name` of `method` at time `t` (epochs); see src/tune/studyPlots.ts `ScheduleBand`. */
export interface ScheduleRow {
  run: string;
  method: string;
  name: string;
  seeds: number;
  t: number;
  value: number;
  low: number;
  high: number;
  seedMin: number;
  seedMax: number;
}

/** Validation loss of one method and seed after `epochs` training epochs (search: best so far). */
export interface CurveRow {
  run: string;
  method: string;
  seed: number;
  epochs: number;
  val: number;
}

/** One setting of an ablation factor: the final validation loss of each seed. */
export interface SensitivityRow {
  factor: string;
  label: string;
  setting: string;
  index: number;
  seed: number;
  finalVal: number;
}

/** What the page shows of one study. */
export interface EvidenceSection {
  name: string;
  /** 'not run', 'partial' or 'complete' (a best-response file without one: by its results; another: 'unknown'). */
  status: string;
  /** The command that runs (or resumes) the study. */
  command: string;
  description: string;
  writtenAt: string | null;
  tables: EvidenceTable[];
  schedules: ScheduleRow[];
  curves: CurveRow[];
  sensitivity: SensitivityRow[];
  warnings: string[];
}

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown, fallback = ''): string => (typeof x === 'string' ? x : fallback);
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const nums = (x: unknown): number[] => arr(x).map((v) => (typeof v === 'number' ? v : NaN));
const strings = (x: unknown): string[] => arr(x).map((v) => String(v));

function tableOf(caption: string, t: unknown): EvidenceTable | null {
  if (!isObject(t) || !Array.isArray(t.header) || !Array.isArray(t.rows)) return null;
  return { caption, header: strings(t.header), rows: arr(t.rows).map(strings), notes: strings(t.notes) };
}

/** The best-response study's table (one row per method, seed and ε) from its `results`. */
function bestResponseTable(results: unknown[]): EvidenceTable {
  const f = (x: unknown, d = 3): string => (typeof x !== 'number' || !Number.isFinite(x) ? '—' : Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(1) : x.toFixed(d));
  const rows = results.filter(isObject).flatMap((r) => {
    const val = isObject(r.val) ? r.val.loss : undefined;
    return arr(r.central)
      .filter(isObject)
      .map((c) => [str(r.method, '?'), String(r.seed), typeof r.decay === 'number' ? r.decay.toExponential(2) : '—', f(val), f(r.thetaNorm), String(c.epsilon), f(c.jacobianNorm, 2), f(c.cosine), f(c.relativeError), f(r.predictedHypergradient, 4), f(c.measuredHypergradient, 4)]);
  });
  return {
    caption: 'the learned response θ against the finite-difference Jacobian J^c of the retrained weights',
    header: ['method', 'seed', 'final d', 'val loss', '‖θ‖', 'ε', '‖J^c‖', 'cos(θ, J^c)', '‖θ − J^c‖/‖J^c‖', 'dL_V/dλ: θ', 'measured'],
    rows,
    notes: ['the full tables (the implicit-function Jacobians, ΔL_V per ε) are in docs/evidence/best-response.md and the README.'],
  };
}

/** Reads one study's result file (`json`: the parsed `docs/evidence/<name>.json`). */
export function evidenceSection(name: string, json: unknown): EvidenceSection {
  const section: EvidenceSection = { name, status: 'unknown', command: `npm run study:${name}`, description: '', writtenAt: null, tables: [], schedules: [], curves: [], sensitivity: [], warnings: [] };
  if (!isObject(json) || json.format !== 'deltastn.evidence') {
    section.warnings.push(`docs/evidence/${name}.json is not a study result file`);
    return section;
  }
  // A file written before the runner recorded a status (best-response's first run): it has run if it has results.
  section.status = str(json.status, Array.isArray(json.results) ? (json.results.length > 0 ? 'partial' : 'not run') : 'unknown');
  section.command = str(json.command, section.command);
  section.description = str(json.description);
  section.writtenAt = typeof json.writtenAt === 'string' ? json.writtenAt : null;
  if (Array.isArray(json.results)) {
    if (json.results.length > 0) section.tables.push(bestResponseTable(json.results));
    return section;
  }
  for (const r of arr(json.runs).filter(isObject)) {
    const run = str(r.id, '?');
    if (r.status === 'not run') continue;
    const t = tableOf(`${run}: ${str(r.command)}`, r.table);
    if (t) section.tables.push(t);
    for (const b of arr(r.schedules).filter(isObject)) {
      const t = nums(b.t);
      const [value, low, high, seedMin, seedMax] = [b.value, b.low, b.high, b.seedMin, b.seedMax].map(nums);
      t.forEach((ti, i) => section.schedules.push({ run, method: str(b.method), name: str(b.name), seeds: typeof b.seeds === 'number' ? b.seeds : 1, t: ti, value: value[i], low: low[i], high: high[i], seedMin: seedMin[i], seedMax: seedMax[i] }));
    }
    for (const c of arr(r.curves).filter(isObject)) {
      const epochs = nums(c.epochs);
      const val = nums(c.val);
      epochs.forEach((e, i) => section.curves.push({ run, method: str(c.method), seed: typeof c.seed === 'number' ? c.seed : 0, epochs: e, val: val[i] }));
    }
  }
  for (const f of arr(json.sensitivity).filter(isObject)) {
    arr(f.points)
      .filter(isObject)
      .forEach((p, index) => {
        const fv = isObject(p.finalVal) ? nums(p.finalVal.values) : [];
        fv.forEach((v, seed) => section.sensitivity.push({ factor: str(f.factor), label: str(f.label), setting: str(p.setting), index, seed, finalVal: v }));
      });
  }
  // A finite number only: a schedule or curve point the file could not give is left out, not drawn as NaN.
  section.schedules = section.schedules.filter((s) => [s.t, s.value, s.low, s.high, s.seedMin, s.seedMax].every(Number.isFinite));
  section.curves = section.curves.filter((c) => Number.isFinite(c.epochs) && Number.isFinite(c.val));
  if (section.status !== 'not run' && section.tables.length === 0) section.warnings.push(`docs/evidence/${name}.json has no table yet`);
  return section;
}

/**
 * A table's rows as objects keyed by its header, for `table(rows, header)`; the last column (final
 * hyperparameters: `name=value …`) gets one hyperparameter per line.
 */
export function tableRows(t: EvidenceTable): Record<string, string>[] {
  const last = t.header.length - 1;
  return t.rows.map((r) => Object.fromEntries(t.header.map((h, j) => [h, j === last && /final hyperparameters/.test(h) ? (r[j] ?? '').split(/ (?=[\w-]+=)/).join('\n') : (r[j] ?? '')])));
}
