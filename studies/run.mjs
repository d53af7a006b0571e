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
 * whatever has finished to `docs/evidence/<name>*.{json,svg}`.
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
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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

/** A compare run's result: its summary.json (the study's own table), the final validation loss per method and seed, its plots. */
function compareEvidence(study, run) {
  const dir = join(root, study.out, run.id);
  const summary = readJson(join(dir, 'summary.json'));
  // Final validation loss (last epoch) of each hypernetwork run, from trials.jsonl when the directory has one.
  const finals = {};
  for (const r of readJsonl(join(dir, 'trials.jsonl'))) {
    if (!r || r.format !== 'deltastn.trial' || !Array.isArray(r.epochs) || r.epochs.length === 0) continue;
    const key = r.method;
    const last = r.epochs[r.epochs.length - 1];
    if (r.trajectory) (finals[key] ??= []).push({ seed: r.seed, finalVal: last.val.loss, bestVal: r.bestVal, wall: r.wallSeconds });
  }
  // The λ trajectories (lambda-*.svg, ~400 kB each at 50 epochs) stay in the study directory; the rest are copied.
  const svgs = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.svg') && !f.startsWith('lambda-')) : [];
  return {
    id: run.id,
    dir: join(study.out, run.id),
    command: `deltastn compare ${flags({ ...(study.defaults?.compare ?? {}), ...run.args }).join(' ')} --out ${join(study.out, run.id)}`,
    // What the directory holds so far (a first slice may have fewer methods or seeds than the study's command).
    summaryConfig: summary ? { methods: summary.config.methods, seeds: summary.config.seeds, budgetEpochs: summary.config.budgetEpochs } : null,
    complete: summary?.complete ?? false,
    methods: (summary?.methods ?? []).map((m) => ({
      method: m.method,
      complete: m.complete,
      seeds: m.seeds.length,
      bestVal: m.bestVal,
      testLoss: m.testLoss,
      testAccuracy: m.testAccuracy,
      wallSeconds: m.wallSeconds,
      plainEpochs: m.plainEpochs,
      hyper: m.hyper,
      hyperPerSeed: m.seeds.map((s) => ({ seed: s.seed, hyper: s.hyper, scale: s.scale })),
      // Without trials.jsonl (a study kept in a database store: export it to get one), the best validation loss per seed.
      finalVal: finals[m.method] ? { ...stat(finals[m.method].map((f) => f.finalVal)), source: 'last epoch (trials.jsonl)' } : m.seeds.length ? { ...stat(m.seeds.map((s) => s.bestVal)), source: 'best epoch (summary.json; no trials.jsonl)' } : null,
    })),
    plots: svgs,
  };
}

/** The reviewers' baseline: per seed, the grid point (learning rate and schedule) with the lowest validation loss. */
function baselineEvidence(study) {
  const runs = study.runs.filter((r) => r.group === 'baseline');
  const bySeed = {};
  for (const run of runs) {
    const log = readJsonl(join(root, study.out, run.id, 'log.jsonl')).filter((l) => l && l.val);
    if (log.length === 0) continue;
    const best = log.reduce((a, b) => (b.val.loss < a.val.loss ? b : a));
    const seed = run.args.seed ?? 0;
    const entry = { run: run.id, lr: run.args.lr, milestones: run.args['lr-milestones'] ?? null, epochs: log.length, plannedEpochs: run.args.epochs, bestVal: best.val.loss, testLoss: best.test?.loss ?? null, testAccuracy: best.test?.accuracy ?? null, finalVal: log[log.length - 1].val.loss, seconds: log.reduce((a, l) => a + (l.seconds ?? 0), 0) };
    if (!bySeed[seed] || entry.bestVal < bySeed[seed].bestVal) bySeed[seed] = { ...entry, gridSeconds: (bySeed[seed]?.gridSeconds ?? 0) + entry.seconds };
    else bySeed[seed].gridSeconds += entry.seconds;
  }
  const chosen = Object.entries(bySeed).map(([seed, e]) => ({ seed: Number(seed), ...e }));
  if (chosen.length === 0) return null;
  return {
    description: 'fixed hyperparameters (the model defaults), learning rate and step schedule chosen per seed by the best validation loss over the grid; its cost is the whole grid (gridSeconds)',
    perSeed: chosen,
    bestVal: stat(chosen.map((c) => c.bestVal)),
    testLoss: stat(chosen.filter((c) => c.testLoss !== null).map((c) => c.testLoss)),
    testAccuracy: stat(chosen.filter((c) => c.testAccuracy !== null).map((c) => c.testAccuracy)),
  };
}

/** One sensitivity plot per factor: final validation loss against the setting, mean and mean ± std over seeds, each seed. */
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
    const series = [
      { name: 'mean', points: have.map((p) => [p.x, p.finalVal.mean]) },
      { name: 'mean − std', dashed: true, points: have.filter((p) => p.finalVal.std !== null).map((p) => [p.x, p.finalVal.mean - p.finalVal.std]) },
      { name: 'mean + std', dashed: true, points: have.filter((p) => p.finalVal.std !== null).map((p) => [p.x, p.finalVal.mean + p.finalVal.std]) },
    ].filter((s) => s.points.length > 0);
    const seeds = [...new Set(have.flatMap((p) => p.finalVal.values.map((_, k) => k)))];
    for (const k of seeds) series.push({ name: `seed #${k + 1}`, points: have.filter((p) => p.finalVal.values[k] !== undefined).map((p) => [p.x, p.finalVal.values[k]]) });
    const svg = lineChart({
      title: `${study.name}: ${f.label} (x: ${f.settings.map((s, i) => `${i}=${s}`).join(', ')})`,
      x: { label: `${f.label} (setting index)`, integer: true },
      y: { label: 'final validation loss' },
      series,
      width: 640,
      height: 360,
    });
    const path = join(evidenceDir, `${study.name}-${f.factor}.svg`);
    writeAtomic(path, svg);
    out[out.length - 1].plot = `docs/evidence/${study.name}-${f.factor}.svg`;
  }
  return out;
}

async function writeEvidence(study, outcomes) {
  const results = study.runs.filter((r) => r.command === 'compare').map((r) => compareEvidence(study, r));
  const evidence = { format: 'deltastn.evidence', version: 1, study: study.name, issue: study.issue, description: study.description, writtenAt: new Date().toISOString(), outcomes, runs: results, baseline: baselineEvidence(study) };
  if (study.sensitivity) evidence.sensitivity = await sensitivity(study, results);
  // The compare runs' own plots, copied beside the table.
  for (const r of results) for (const svg of r.plots) copyFileSync(join(root, r.dir, svg), join(evidenceDir, `${study.name}-${r.id}-${svg}`));
  for (const r of results) if (existsSync(join(root, r.dir, 'table.md'))) copyFileSync(join(root, r.dir, 'table.md'), join(evidenceDir, `${study.name}-${r.id}-table.md`));
  writeAtomic(join(evidenceDir, `${study.name}.json`), JSON.stringify(evidence, null, 2) + '\n');
  console.error(`study ${study.name}: evidence in docs/evidence/${study.name}.json`);
}

// ---------------------------------------------------------------------------------------------------------
// The best response on a real network (src/tune/bestResponse.ts)
// ---------------------------------------------------------------------------------------------------------

async function bestResponseStudy(study, options) {
  const { NATIVE_ENV_DEFAULTS, initBackend } = await lib('src/nn/backend.js');
  for (const [k, v] of Object.entries(NATIVE_ENV_DEFAULTS)) process.env[k] ??= v;
  const backend = await initBackend(study.backend ?? 'auto');
  console.error(`study ${study.name}: backend ${backend.name}`);
  const { loadData } = await lib('src/tune/factory.js');
  const br = await lib('src/tune/bestResponse.js');
  const results = [];
  for (const seed of study.seeds) {
    const data = loadData({ dataset: 'mnist', seed, trainSize: study.trainSize });
    for (const method of study.methods) {
      const id = `${method}-seed${seed}`;
      if (options.only && !options.only.includes(id)) continue;
      const path = join(root, study.out, `${id}.json`);
      const done = readJson(path);
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
  writeAtomic(join(evidenceDir, `${study.name}.json`), JSON.stringify({ format: 'deltastn.evidence', version: 1, study: study.name, issue: study.issue, description: study.description, writtenAt: new Date().toISOString(), results: table }, null, 2) + '\n');
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
    ...results.flatMap((r) => (r.ift ?? []).map((s) => `| ${r.config.method} | ${s.point === 'method' ? 'w_m' : 'w*(λ)'} | ${s.curvature} | ${s.biasDamping} | ${s.iterations}${s.failedAt !== null ? ' (stopped: pᵀAp ≤ 0)' : ''} | ${s.residual === null ? '—' : s.residual.toExponential(1)} | ${s.minRayleigh.toExponential(1)} | ${f(s.norm, 2)} | ${f(s.thetaCosine)} | ${f(s.thetaRelativeError)} | ${f(s.thetaNormRatio)} | ${f(s.predictedHypergradient, 4)} | ${f(r.predictedHypergradient, 4)} | ${r.central.map((c) => f(c.measuredHypergradient, 4)).join(' / ')} | ${s.central.map((c) => `${f(c.cosine)} (ε = ${c.epsilon})`).join(', ') || '—'} | ${s.versusFirst ? `cos ${f(s.versusFirst.cosine, 4)}, rel ${f(s.versusFirst.relativeError)}` : '—'} |`)),
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
