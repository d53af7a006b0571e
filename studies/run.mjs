/* global process, console, performance */
/**
 * The studies of issue 17, one command each: `npm run study:<name>` (= `npm run build && node studies/run.mjs <name>`).
 *
 * A study is `studies/<name>.json`: a list of runs, each a `deltastn compare` or `deltastn tune` command line
 * written as an object of flags, with its own directory under the study's `out`. Running the study runs every
 * run in order, each through the CLI, so each resumes the way the CLI does: `compare` skips the trials its
 * directory holds (same --out, same settings), `tune` continues from its checkpoint (`--resume DIR`), a finished
 * `tune` run is skipped. Kill it at any moment and run the same command again: it continues. To extend a study,
 * raise `seeds` (or add methods) in its JSON and rerun; the finished trials stay.
 *
 * A run that uses a flag the CLI does not have yet (exit 2 naming the flag) is reported as waiting for that
 * option and skipped; the rest goes on. After the runs, the evidence (tables as JSON, SVG plots) is written from
 * whatever has finished to `docs/evidence/<name>*.{json,md,svg}`: one `docs/evidence/<name>.json` per study, also
 * for a study that has not run (`"status": "not run"` and the command that runs it), which the runs notebook
 * opens. `--evidence-only` runs nothing and only rewrites the evidence; it may run while a `compare` of the same
 * directory is still going (the study store is read read-only: finished trials only).
 *
 * `best-response` is not a CLI study: it calls src/tune/bestResponse.ts (compiled, dist/) per method and keeps
 * one result file per method in its directory (a finished method is skipped on a rerun).
 *
 *   node studies/run.mjs <name> [--dry-run] [--evidence-only] [--only ID[,ID…]]
 *
 * DELTASTN_DIST=DIR uses another build of the library than dist/ (e.g. a private `tsc --outDir`).
 * Never run by CI: it takes hours at the studies' stated sizes (see the README's Evidence section).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = resolve(root, process.env.DELTASTN_DIST ?? 'dist');
const lib = (path) => import(pathToFileURL(join(dist, path)).href);
const evidenceDir = join(root, 'docs', 'evidence');

function fail(message) {
  console.error(`study: ${message}`);
  process.exit(2);
}

function writeAtomic(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

const readJson = (path) => {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
};

/** Lines of a JSONL file that parse (a torn last line is left out). */
const readJsonl = (path) => {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
};

/** `{ model: 'mlp', seeds: 5, dropconnect: true }` → ['--model', 'mlp', '--seeds', '5', '--dropconnect']. */
function flags(args) {
  return Object.entries(args).flatMap(([k, v]) => (v === true ? [`--${k}`] : v === false || v === null ? [] : [`--${k}`, String(v)]));
}

function runCli(argv) {
  return new Promise((resolvePromise) => {
    // bin/deltastn.js runs dist/; with DELTASTN_DIST the same launcher's steps run the other build.
    const launcher = process.env.DELTASTN_DIST
      ? ['--input-type=module', '-e', `const b = await import(${JSON.stringify(pathToFileURL(join(dist, 'src/nn/backend.js')).href)}); for (const [k, v] of Object.entries(b.NATIVE_ENV_DEFAULTS)) process.env[k] ??= v; const { main } = await import(${JSON.stringify(pathToFileURL(join(dist, 'src/cli/main.js')).href)}); main(process.argv.slice(1)).then((c) => { process.exitCode = c; });`, '--']
      : [join(root, 'bin', 'deltastn.js')];
    const child = spawn(process.execPath, [...launcher, ...argv], { cwd: root, stdio: ['ignore', 'inherit', 'pipe'] });
    let tail = '';
    child.stderr.on('data', (chunk) => {
      process.stderr.write(chunk);
      tail = (tail + chunk.toString()).slice(-4000);
    });
    child.on('close', (code, signal) => resolvePromise({ code: code ?? (signal ? 128 : 1), tail }));
  });
}

/** The command line of one run (compare: --out DIR, resumed by rerunning; tune: --out DIR, or --resume DIR once it has a checkpoint). */
function commandOf(study, run) {
  const dir = join(study.out, run.id);
  const args = { ...(study.defaults?.[run.command] ?? {}), ...run.args };
  if (run.command === 'compare') return { dir, argv: ['compare', ...flags(args), '--out', dir] };
  if (run.command === 'tune') {
    const summary = readJson(join(root, dir, 'summary.json'));
    if (summary?.done === true) return { dir, argv: null, why: 'finished' };
    const resume = existsSync(join(root, dir, 'checkpoint.json'));
    return { dir, argv: ['tune', ...flags(args), ...(resume ? ['--resume', dir] : ['--out', dir])] };
  }
  fail(`${run.id}: command must be compare or tune, not ${run.command}`);
}

async function runStudyRuns(study, options) {
  const outcomes = {};
  for (const run of study.runs) {
    if (options.only && !options.only.includes(run.id)) continue;
    const { dir, argv, why } = commandOf(study, run);
    if (!argv) {
      console.error(`study ${study.name}: ${run.id}: ${why}, skipped`);
      outcomes[run.id] = why;
      continue;
    }
    console.error(`study ${study.name}: ${run.id}: deltastn ${argv.join(' ')}`);
    if (options.dryRun) continue;
    mkdirSync(dirname(join(root, dir)), { recursive: true });
    const t0 = performance.now();
    const { code, tail } = await runCli(argv);
    const missing = (run.needs ?? []).find((flag) => code === 2 && tail.includes(flag));
    if (code === 2 && (missing || /unknown option|Unknown option|not a flag/i.test(tail))) {
      outcomes[run.id] = `waiting for an option the CLI does not have yet (${missing ?? 'see stderr'})`;
      console.error(`study ${study.name}: ${run.id}: ${outcomes[run.id]}; skipped`);
      continue;
    }
    outcomes[run.id] = code === 0 || (run.command === 'tune' && code === 3) ? `ran (exit ${code}, ${((performance.now() - t0) / 1000).toFixed(0)} s)` : `failed (exit ${code})`;
    if (code !== 0 && !(run.command === 'tune' && code === 3)) console.error(`study ${study.name}: ${run.id}: exit ${code}; going on with the next run`);
  }
  return outcomes;
}

// ---------------------------------------------------------------------------------------------------------
// Evidence: tables (JSON) and plots (SVG) from what has finished
// ---------------------------------------------------------------------------------------------------------

const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const std = (xs) => {
  if (xs.length < 2) return null;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, v) => a + (v - m) ** 2, 0) / (xs.length - 1));
};
const stat = (xs) => ({ mean: mean(xs), std: std(xs), n: xs.length, values: xs });

/**
 * The finished records of a compare directory and its configuration, read while `compare` (or a worker) may still
 * be writing: the study store `study.db` opened read-only (SQLite in WAL mode lets readers in beside the writer;
 * only trials in state 'done' are read, never a checkpoint), else the `trials.jsonl` export and `config.json`.
 * Nothing in the directory is written.
 */
async function readCompareRecords(dir, name) {
  const db = join(dir, 'study.db');
  const { isTrialRecord, readTrials } = await lib('src/tune/studyRecords.js');
  if (existsSync(db)) {
    const { default: Database } = await import('better-sqlite3');
    const conn = new Database(db, { readonly: true, fileMustExist: true, timeout: 10_000 });
    try {
      const studies = conn.prepare('SELECT name, config FROM studies').all();
      const row = studies.find((s) => s.name === name) ?? (studies.length === 1 ? studies[0] : null);
      if (row) {
        const records = conn
          .prepare("SELECT record FROM trials WHERE study = ? AND state = 'done' ORDER BY finished_seq, id")
          .all(row.name)
          .map((r) => JSON.parse(r.record))
          .filter(isTrialRecord);
        const counts = Object.fromEntries(conn.prepare('SELECT state, COUNT(*) AS n FROM trials WHERE study = ? GROUP BY state').all(row.name).map((c) => [c.state, c.n]));
        return { config: JSON.parse(row.config), records, source: 'study.db (read-only; finished trials)', counts };
      }
    } finally {
      conn.close();
    }
  }
  const config = readJson(join(dir, 'config.json'));
  // A torn or foreign line is skipped and a repeated (method, seed, trial) counted once, as compare reads it.
  const records = readTrials(join(dir, 'trials.jsonl')).records;
  return config ? { config, records, source: 'trials.jsonl', counts: null } : null;
}

/** A number for the result file: finite, or null. */
const finite = (x) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const statJson = (s) => (s ? { mean: finite(s.mean), std: finite(s.std), n: s.values.length, values: s.values } : null);

/**
 * A compare run's evidence from its finished records (src/tune/studySummary.ts and studyPlots.ts of the build):
 * the study table (mean ± std over seeds), the final validation loss per method, the schedules with their σ bands
 * at the epoch ends and the validation curves (for the runs notebook), and the plots, written to docs/evidence/.
 */
async function compareEvidence(study, run) {
  const rel = join(study.out, run.id);
  const dir = join(root, rel);
  const command = `deltastn compare ${flags({ ...(study.defaults?.compare ?? {}), ...run.args }).join(' ')} --out ${rel}`;
  const base = { id: run.id, dir: rel, command };
  const read = existsSync(dir) ? await readCompareRecords(dir, run.id) : null;
  if (!read || read.records.length === 0) return { ...base, status: 'not run', methods: [], plots: [] };
  const { config, records } = read;
  const { summarizeStudy, studyTable } = await lib('src/tune/studySummary.js');
  const { studyPlots, studyScheduleBands, validationCurve } = await lib('src/tune/studyPlots.js');
  const summary = summarizeStudy(config, records);
  // Complete means the study's plan (the run's --methods and --seeds), not only what the directory was started with:
  // a directory begun with fewer methods or seeds is extended on resume.
  const plannedMethods = String(run.args.methods ?? '').split(',').filter((m) => m !== '');
  const plannedSeeds = Number(run.args.seeds ?? 1);
  const missing = [...plannedMethods.filter((m) => !config.methods.includes(m)), ...(config.seeds.length < plannedSeeds ? [`seeds ${config.seeds.length} of ${plannedSeeds}`] : [])];
  const complete = summary.complete && missing.length === 0;
  const search = (m) => m === 'random' || m === 'bayes';
  const plots = [];
  // The λ plots (lambda-*.svg, ~400 kB each at 50 epochs) stay out; the schedules carry the σ bands now.
  for (const p of studyPlots(config, records)) {
    if (p.file.startsWith('lambda-')) continue;
    const file = `${study.name}-${run.id}-${p.file}`;
    writeAtomic(join(evidenceDir, file), p.svg + '\n');
    plots.push({ file: `docs/evidence/${file}`, title: p.title });
  }
  const r6 = (x) => (Number.isFinite(x) ? Number(x.toPrecision(6)) : null);
  return {
    ...base,
    status: complete ? 'complete' : 'partial',
    missing,
    source: read.source,
    trialCounts: read.counts,
    config: { methods: config.methods, seeds: config.seeds, budgetEpochs: config.budgetEpochs, trialEpochs: config.trialEpochs, model: config.model, dataset: config.dataset, width: config.width, backend: config.backend },
    complete,
    table: studyTable(summary),
    methods: summary.methods.map((m) => {
      const perSeed = m.seeds.map((o) => {
        const recs = records.filter((r) => r.method === m.method && r.seed === o.seed);
        const last = recs.length ? recs[recs.length - 1].epochs.at(-1) : null;
        return { seed: o.seed, bestVal: o.bestVal, finalVal: search(m.method) ? o.bestVal : (last?.val.loss ?? null), hyper: o.hyper, scale: o.scale ?? null, wallSeconds: o.wallSeconds };
      });
      return {
        method: m.method,
        kind: m.kind,
        complete: m.complete,
        seeds: m.seeds.length,
        bestVal: statJson(m.bestVal),
        valAccuracy: statJson(m.valAccuracy),
        testLoss: statJson(m.testLoss),
        testAccuracy: statJson(m.testAccuracy),
        wallSeconds: statJson(m.wallSeconds),
        plainEpochs: statJson(m.plainEpochs),
        hyper: m.hyper,
        hyperSpread: m.hyperSpread,
        perSeed,
        // Hypernetwork: the last epoch's validation loss per seed; search: the best trial's (a search has no "final" run).
        finalVal: perSeed.length ? { ...stat(perSeed.map((s) => s.finalVal).filter((v) => v !== null)), source: search(m.method) ? 'best trial' : 'last epoch' } : null,
      };
    }),
    // Per hypernetwork method and hyperparameter, at each epoch end: mean over seeds of T(λ), its σ band, min–max over seeds.
    schedules: studyScheduleBands(config, records, 'epochs').map((b) => ({ method: b.method, name: b.name, seeds: b.seeds, t: b.t, value: b.value.map(r6), low: b.low.map(r6), high: b.high.map(r6), seedMin: b.seedMin.map(r6), seedMax: b.seedMax.map(r6) })),
    // Per method and seed, the validation loss per training epoch (search: best so far over its trials).
    curves: config.methods.flatMap((m) =>
      config.seeds.flatMap((s) => {
        const c = validationCurve(records.filter((r) => r.method === m && r.seed === s));
        return c.length ? [{ method: m, seed: s, epochs: c.map((p) => p.epochs), seconds: c.map((p) => r6(p.seconds)), val: c.map((p) => r6(p.val)) }] : [];
      }),
    ),
    plots,
  };
}

/**
 * The reviewers' baseline: per seed, the grid point (learning rate and schedule) with the lowest validation loss,
 * counted only once every run of that seed's grid has finished (a rate chosen from part of the grid would be
 * another baseline); its cost is the whole grid.
 */
function baselineEvidence(study) {
  const runs = study.runs.filter((r) => r.group === 'baseline');
  if (runs.length === 0) return null;
  const bySeed = {};
  for (const run of runs) {
    const seed = run.args.seed ?? 0;
    const s = (bySeed[seed] ??= { seed, grid: [], finished: 0, planned: 0 });
    s.planned++;
    const dir = join(root, study.out, run.id);
    const log = readJsonl(join(dir, 'log.jsonl')).filter((l) => l && l.val);
    if (readJson(join(dir, 'summary.json'))?.done === true) s.finished++;
    if (log.length === 0) continue;
    const best = log.reduce((a, b) => (b.val.loss < a.val.loss ? b : a));
    s.grid.push({ run: run.id, lr: run.args.lr, milestones: run.args['lr-milestones'] ?? null, epochs: log.length, plannedEpochs: run.args.epochs, bestEpoch: best.epoch, bestVal: best.val.loss, valAccuracy: best.val.accuracy ?? null, testLoss: best.test?.loss ?? null, testAccuracy: best.test?.accuracy ?? null, finalVal: log[log.length - 1].val.loss, seconds: log.reduce((a, l) => a + (l.seconds ?? 0), 0) });
  }
  const seeds = Object.values(bySeed).sort((a, b) => a.seed - b.seed);
  const done = seeds.filter((s) => s.finished === s.planned && s.grid.length === s.planned);
  const chosen = done.map((s) => {
    const best = s.grid.reduce((a, b) => (b.bestVal < a.bestVal ? b : a));
    return { seed: s.seed, ...best, gridEpochs: s.grid.reduce((a, g) => a + g.epochs, 0), gridSeconds: s.grid.reduce((a, g) => a + g.seconds, 0) };
  });
  const fmt = (xs, digits, scale = 1) => {
    if (xs.length === 0) return '—';
    const s = stat(xs);
    return s.std === null ? (s.mean * scale).toFixed(digits) : `${(s.mean * scale).toFixed(digits)} ± ${(s.std * scale).toFixed(digits)}`;
  };
  const sig3 = (v) => String(Number(v.toPrecision(3)));
  const lrs = chosen.map((c) => c.lr);
  const lrCell = lrs.length === 0 ? '' : lrs.length === 1 ? `lr=${sig3(lrs[0])}` : `lr=${sig3(mean(lrs))} ± ${sig3(std(lrs))} [${sig3(Math.min(...lrs))}–${sig3(Math.max(...lrs))}]`;
  const nn = (xs) => xs.filter((x) => x !== null);
  const label = 'baseline (lr chosen per seed on validation loss)';
  return {
    description: 'fixed hyperparameters (the model defaults), learning rate and step schedule chosen per seed by the best validation loss over the grid; a seed counts once its whole grid has finished; its cost is the whole grid (gridEpochs, gridSeconds)',
    label,
    grid: [...new Set(runs.map((r) => r.args.lr))],
    seedsPlanned: seeds.length,
    seedsInProgress: seeds.filter((s) => !done.includes(s)).map((s) => ({ seed: s.seed, finished: s.finished, planned: s.planned })),
    perSeed: chosen,
    bestVal: stat(chosen.map((c) => c.bestVal)),
    valAccuracy: stat(nn(chosen.map((c) => c.valAccuracy))),
    testLoss: stat(nn(chosen.map((c) => c.testLoss))),
    testAccuracy: stat(nn(chosen.map((c) => c.testAccuracy))),
    gridSeconds: stat(chosen.map((c) => c.gridSeconds)),
    // The study table's columns (studyTable in src/tune/studySummary.ts): epochs and wall time are the whole grid's.
    row: [
      `${label}${chosen.length < seeds.length ? ' (incomplete)' : ''}`,
      String(chosen.length),
      fmt(chosen.map((c) => c.bestVal), 4),
      fmt(nn(chosen.map((c) => c.valAccuracy)), 1, 100),
      fmt(nn(chosen.map((c) => c.testLoss)), 4),
      fmt(nn(chosen.map((c) => c.testAccuracy)), 1, 100),
      fmt(chosen.map((c) => c.gridEpochs), 0),
      fmt(chosen.map((c) => c.gridEpochs), 0),
      fmt(chosen.map((c) => c.gridSeconds), 1),
      lrCell,
    ],
    note: `${label}: \`tune --method fixed\` at the model's default hyperparameters, the learning rate chosen per seed from {${[...new Set(runs.map((r) => r.args.lr))].join(', ')}} by the best validation loss, a step schedule ×${runs[0].args['lr-gamma'] ?? 0.1} at epochs ${runs[0].args['lr-milestones'] ?? '—'}; losses and accuracies at its best epoch; its cost is the whole grid: epochs, ≈ plain epochs and wall (s) are the sums over the ${runs.length / Math.max(1, seeds.length)} grid runs of a seed (wall: the trainer's epoch seconds). Seeds counted: those whose grid has finished (${chosen.length} of ${seeds.length}).`,
  };
}

/** One sensitivity plot per factor: final validation loss against the setting, the mean, a mean ± std band, each seed. */
async function sensitivity(study, results) {
  const { lineChart } = await lib('src/report/plot.js');
  const out = [];
  for (const f of study.sensitivity ?? []) {
    const points = f.runs.map((id, i) => {
      const r = results.find((x) => x.id === id);
      const m = r?.methods.find((mm) => mm.method === (f.method?.[i] ?? f.method ?? r.methods[0]?.method));
      return { id, x: i, setting: f.settings[i], finalVal: m?.finalVal ?? null };
    });
    const have = points.filter((p) => p.finalVal && p.finalVal.n > 0);
    out.push({ factor: f.factor, label: f.label, points: points.map((p) => ({ run: p.id, setting: p.setting, finalVal: p.finalVal })) });
    if (have.length === 0) continue;
    const series = [{ name: 'mean', points: have.map((p) => [p.x, p.finalVal.mean]) }];
    const spread = have.filter((p) => p.finalVal.std !== null);
    const bands = spread.length ? [{ name: 'mean ± std over seeds', points: spread.map((p) => [p.x, p.finalVal.mean - p.finalVal.std, p.finalVal.mean + p.finalVal.std]) }] : [];
    const seeds = [...new Set(have.flatMap((p) => p.finalVal.values.map((_, k) => k)))];
    for (const k of seeds) series.push({ name: `seed #${k + 1}`, dashed: true, points: have.filter((p) => p.finalVal.values[k] !== undefined).map((p) => [p.x, p.finalVal.values[k]]) });
    const svg = lineChart({
      title: `${study.name}: ${f.label} (x: ${f.settings.map((s, i) => `${i}=${s}`).join(', ')})`,
      x: { label: `${f.label} (setting index)`, integer: true },
      y: { label: 'final validation loss' },
      series,
      bands,
      width: 640,
      height: 360,
    });
    const path = join(evidenceDir, `${study.name}-${f.factor}.svg`);
    writeAtomic(path, svg);
    out[out.length - 1].plot = `docs/evidence/${study.name}-${f.factor}.svg`;
  }
  return out;
}

/** The study's table as Markdown (the compare run's table, plus the baseline row under the `main` run's). */
function tableMarkdown(study, r, baseline) {
  const esc = (s) => s.replace(/\|/g, '\\|');
  const { header, rows, notes } = r.table;
  const all = baseline ? [...rows, baseline.row] : rows;
  return [
    `# ${study.name} / ${r.id}: ${r.config.model} on ${r.config.dataset}, budget ${r.config.budgetEpochs} epochs (${r.status}${r.missing?.length ? `; not run yet: ${r.missing.join(', ')}` : ''})`,
    '',
    `\`${r.command}\``,
    '',
    `| ${header.map(esc).join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...all.map((row) => `| ${row.map(esc).join(' | ')} |`),
    '',
    ...notes.map((n) => `- ${n}`),
    ...(baseline ? [`- ${baseline.note}`] : []),
    '',
  ].join('\n');
}

async function writeEvidence(study, outcomes) {
  const results = [];
  for (const r of study.runs.filter((x) => x.command === 'compare')) results.push(await compareEvidence(study, r));
  const baseline = baselineEvidence(study);
  const withBaseline = (r) => r.id === 'main' && r.table && baseline?.perSeed.length > 0;
  for (const r of results) if (r.table) writeAtomic(join(evidenceDir, `${study.name}-${r.id}-table.md`), tableMarkdown(study, r, withBaseline(r) ? baseline : null));
  // The reviewers' baseline is one more row of the main comparison's table (same columns).
  for (const r of results) if (withBaseline(r)) r.table = { ...r.table, rows: [...r.table.rows, baseline.row], notes: [...r.table.notes, baseline.note] };
  const ran = results.filter((r) => r.status !== 'not run');
  const status = ran.length === 0 && !baseline?.perSeed.length ? 'not run' : ran.length === results.length && ran.every((r) => r.complete) && (baseline === null || baseline.perSeed.length === baseline.seedsPlanned) ? 'complete' : 'partial';
  const evidence = {
    format: 'deltastn.evidence',
    version: 2,
    study: study.name,
    issue: study.issue,
    description: study.description,
    status,
    command: `npm run study:${study.name}`,
    writtenAt: new Date().toISOString(),
    outcomes,
    runs: results,
    baseline,
  };
  if (study.sensitivity) evidence.sensitivity = await sensitivity(study, results);
  writeAtomic(join(evidenceDir, `${study.name}.json`), JSON.stringify(evidence, null, 2) + '\n');
  console.error(`study ${study.name}: ${status}; evidence in docs/evidence/${study.name}.json`);
}

// ---------------------------------------------------------------------------------------------------------
// The best response on a real network (src/tune/bestResponse.ts)
// ---------------------------------------------------------------------------------------------------------

async function bestResponseStudy(study, options) {
  const { NATIVE_ENV_DEFAULTS, initBackend } = await lib('src/nn/backend.js');
  for (const [k, v] of Object.entries(NATIVE_ENV_DEFAULTS)) process.env[k] ??= v;
  // --evidence-only reads the finished result files and runs nothing (no backend, no data, nothing renamed).
  const backend = options.evidenceOnly ? null : await initBackend(study.backend ?? 'auto');
  if (backend) console.error(`study ${study.name}: backend ${backend.name}`);
  const { loadData } = await lib('src/tune/factory.js');
  const br = await lib('src/tune/bestResponse.js');
  const results = [];
  for (const seed of study.seeds) {
    const data = options.evidenceOnly ? null : loadData({ dataset: 'mnist', seed, trainSize: study.trainSize });
    for (const method of study.methods) {
      const id = `${method}-seed${seed}`;
      if (options.only && !options.only.includes(id)) continue;
      const path = join(root, study.out, `${id}.json`);
      const done = readJson(path);
      if (options.evidenceOnly) {
        if (done?.format === 'deltastn.best-response') results.push(done);
        else console.error(`study ${study.name}: ${id}: not run yet`);
        continue;
      }
      if (done?.format === 'deltastn.best-response' && done.version >= 2) {
        console.error(`study ${study.name}: ${id}: finished before, skipped`);
        results.push(done);
        continue;
      }
      // A version-1 record has no implicit-function solves (step 5): kept beside as <id>.v1.json, the method rerun.
      if (done?.format === 'deltastn.best-response' && !options.dryRun) {
        renameSync(path, join(root, study.out, `${id}.v1.json`));
        console.error(`study ${study.name}: ${id}: version ${done.version} (no implicit-function solves), kept as ${id}.v1.json and rerun`);
      }
      if (options.dryRun) {
        console.error(`study ${study.name}: ${id}: would run`);
        continue;
      }
      const config = br.defaultBestResponseConfig(method, { ...study.config, seed });
      const t0 = performance.now();
      const r = await br.measureBestResponse(config, data, { backend: backend.name, log: (s) => console.error(`  ${((performance.now() - t0) / 1000).toFixed(1)} s ${s}`) });
      const record = { ...r, wallSeconds: (performance.now() - t0) / 1000, finishedAt: new Date().toISOString() };
      writeAtomic(path, JSON.stringify(record, null, 2) + '\n');
      results.push(record);
    }
  }
  const table = results.map((r) => ({
    method: r.config.method,
    seed: r.config.seed,
    backend: r.backend,
    decay: r.decay,
    sigma: r.sigma,
    val: r.val,
    test: r.test,
    thetaNorm: r.thetaNorm,
    base: r.base,
    central: r.central,
    steps: r.steps.map((s) => ({ epsilon: s.epsilon, cosine: s.cosine, relativeError: s.relativeError, jacobianNorm: s.jacobianNorm, predictedDeltaVal: s.predictedDeltaVal, measuredDeltaVal: s.measuredDeltaVal, gradNorm: s.retrain.gradNorm, iterations: s.retrain.iterations })),
    predictedHypergradient: r.predictedHypergradient,
    ift: r.ift,
    wallSeconds: r.wallSeconds,
  }));
  const planned = study.seeds.length * study.methods.length;
  const status = results.length === 0 ? 'not run' : results.length < planned ? 'partial' : 'complete';
  writeAtomic(join(evidenceDir, `${study.name}.json`), JSON.stringify({ format: 'deltastn.evidence', version: 1, study: study.name, issue: study.issue, description: study.description, status, command: `npm run study:${study.name}`, writtenAt: new Date().toISOString(), results: table }, null, 2) + '\n');
  const f = (x, d = 3) => (x === null || x === undefined ? '—' : Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(1) : x.toFixed(d));
  const md = [
    '| method | seed | final d (σ) | val loss | ‖θ‖ | ‖∇L_T‖ at w*(λ) | ε | ‖J^c‖ | cos(θ, J^c) | ‖θ − J^c‖/‖J^c‖ | cos(J_ε, J_−ε) | cos(−W*, J^c) | dL_V/dλ: θ | measured |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.flatMap((r) => r.central.map((c) => `| ${r.config.method} | ${r.config.seed} | ${r.decay.toExponential(2)} (${f(r.sigma, 2)}) | ${f(r.val.loss)} | ${f(r.thetaNorm)} | ${r.base.gradNorm.toExponential(1)} | ${c.epsilon} | ${f(c.jacobianNorm, 2)} | ${f(c.cosine)} | ${f(c.relativeError)} | ${f(c.signAgreement)} | ${f(c.shrinkageCosine)} | ${f(r.predictedHypergradient, 4)} | ${f(c.measuredHypergradient, 4)} |`)),
    '',
    '| method | seed | ε | ΔL_V predicted by θ | measured | ‖∇L_T‖ at w*(λ+ε) |',
    '|---|---|---|---|---|---|',
    ...results.flatMap((r) => r.steps.map((s) => `| ${r.config.method} | ${r.config.seed} | ${s.epsilon} | ${f(s.predictedDeltaVal, 4)} | ${f(s.measuredDeltaVal, 4)} | ${s.retrain.gradNorm.toExponential(1)} |`)),
    '',
    // The implicit-function Jacobians J = −(C + dP + δ(I − P))⁻¹ d′ P w, no retraining (src/tune/iftJacobian.ts).
    '| method | at | curvature | δ | CG its | residual | min pᵀAp/pᵀp | ‖J‖ | cos(θ, J) | ‖θ − J‖/‖J‖ | ‖θ‖/‖J‖ | dL_V/dλ: J | θ | measured | cos(J, J^c) per ε | vs first |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.flatMap((r) => (r.ift ?? []).map((s) => `| ${r.config.method} | ${s.point === 'method' ? 'w_m' : 'w*(λ)'} | ${s.curvature} | ${Number(s.biasDamping.toPrecision(3))} | ${s.iterations}${s.failedAt !== null ? ` (stopped: pᵀAp ≤ 0; ${(100 * (s.failedBiasShare ?? NaN)).toFixed(1)} % of ‖p‖² on biases)` : ''} | ${s.residual === null ? '—' : s.residual.toExponential(1)} | ${s.minRayleigh.toExponential(1)} | ${f(s.norm, 2)} | ${f(s.thetaCosine)} | ${f(s.thetaRelativeError)} | ${f(s.thetaNormRatio)} | ${f(s.predictedHypergradient, 4)} | ${f(r.predictedHypergradient, 4)} | ${r.central.map((c) => f(c.measuredHypergradient, 4)).join(' / ')} | ${s.central.map((c) => `${f(c.cosine)} (ε = ${c.epsilon})`).join(', ') || '—'} | ${s.versusFirst ? `cos ${f(s.versusFirst.cosine, 4)}, rel ${f(s.versusFirst.relativeError)}` : '—'} |`)),
  ].join('\n');
  writeAtomic(join(evidenceDir, `${study.name}.md`), md + '\n');
  if (results.length > 0) {
    const { lineChart } = await lib('src/report/plot.js');
    const series = results.map((r) => ({ name: `${r.config.method} seed ${r.config.seed}`, points: [...r.steps].sort((a, b) => a.epsilon - b.epsilon).map((s) => [s.epsilon, s.measuredDeltaVal]) }));
    const predicted = results.map((r) => ({ name: `${r.config.method} seed ${r.config.seed}: predicted by θ`, dashed: true, points: [...r.steps].sort((a, b) => a.epsilon - b.epsilon).map((s) => [s.epsilon, s.predictedDeltaVal]) }));
    writeAtomic(join(evidenceDir, `${study.name}-delta-val.svg`), lineChart({ title: 'ΔL_V: measured (weights retrained by L-BFGS at λ ± ε) and predicted by the learned response θ', x: { label: 'ε (λ units, λ = softplus⁻¹(weight decay))' }, y: { label: 'L_V(λ + ε) − L_V(λ)' }, series: [...series, ...predicted], rules: [{ y: 0 }], width: 640, height: 400 }));
  }
  console.error(`study ${study.name}: evidence in docs/evidence/${study.name}.json`);
}

// ---------------------------------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const name = argv.find((a) => !a.startsWith('--'));
if (!name) fail('usage: node studies/run.mjs <name> [--dry-run] [--evidence-only] [--only ID[,ID…]]');
const onlyAt = argv.indexOf('--only');
const options = { dryRun: argv.includes('--dry-run'), evidenceOnly: argv.includes('--evidence-only'), only: onlyAt >= 0 ? (argv[onlyAt + 1] ?? '').split(',') : null };
const file = join(root, 'studies', `${name}.json`);
const study = readJson(file);
if (!study) fail(`${file}: no such study (or not JSON); the studies are ${readdirSync(join(root, 'studies')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).join(', ')}`);
if (!existsSync(join(dist, 'src', 'index.js'))) fail(`${dist}: no compiled library; run \`npm run build\` first (npm run study:${name} does)`);
mkdirSync(evidenceDir, { recursive: true });
if (study.kind === 'best-response') await bestResponseStudy(study, options);
else {
  const outcomes = options.evidenceOnly ? {} : await runStudyRuns(study, options);
  if (!options.dryRun) await writeEvidence(study, outcomes);
}
