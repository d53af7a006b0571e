/**
 * `deltastn report DIR`: the page of a study directory (`config.json` + `trials.jsonl`, written by
 * `deltastn compare`), an architecture-search directory (`config.json` + `runs.jsonl`, written by
 * `deltastn search`) or a `tune` run directory (`log.jsonl`), assembled from the studies' own readers and
 * summaries and rendered by src/report/html.ts (which draws what it is given). Node only (it reads the directory).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { StateFileError, isFile, readJsonLines, readJsonStateFile, writeFileAtomic } from '../stateFiles.js';
import { archSearchTableRows, archWeightPlots, randomTrials, readArchRecordFile, readArchSearchConfig, summarizeArchSearch, type ArchRecord } from './archSearch.js';
import { isRunLogLine, type RunLogLine } from './factory.js';
import { isSearchMethod, readStudyConfig, readTrials, studyPlots, studyTable, summarizeStudy } from './study.js';
import { renderHtml, type ReportBlock, type ReportPage } from '../report/html.js';
import { lineChart, SERIES_COLORS, type SeriesSpec } from '../report/plot.js';

const fix = (x: number | null | undefined, d: number): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));

/**
 * The page of a study directory (config.json + trials.jsonl). Lines of trials.jsonl that are not trial records
 * are left out and counted on the page.
 * @throws StateFileError naming `DIR` and the file when config.json is not a valid study configuration or a file
 *   cannot be read.
 */
export function studyPage(dir: string): ReportPage {
  const config = readStudyConfig(join(dir, 'config.json'), 'DIR');
  const { records, bad } = readTrials(join(dir, 'trials.jsonl'), 'DIR');
  const summary = summarizeStudy(config, records);
  const { header, rows, notes } = studyTable(summary);
  const backends = [...new Set(records.map((r) => r.backend))].join(', ') || '—';
  const blocks: ReportBlock[] = [
    {
      kind: 'paragraph',
      text:
        `${config.model} on ${config.dataset}${config.trainSize > 0 ? ` (first ${config.trainSize} training examples)` : ''}, width ${config.width}, ` +
        `budget ${config.budgetEpochs} training epochs per method and seed, search trials of ${config.trialEpochs} epoch(s), seeds ${config.seeds.join(', ')}; ` +
        `backend ${backends}; ${records.length} run(s)/trial(s) recorded${summary.complete ? ' (complete)' : ' (incomplete: resume with the same compare command)'}${bad ? `; ${bad} unreadable or foreign line(s) in trials.jsonl left out` : ''}.`,
    },
    { kind: 'heading', text: 'Results' },
    { kind: 'table', header, rows },
    { kind: 'list', items: notes },
    { kind: 'heading', text: 'Plots' },
    ...studyPlots(config, records).map((p): ReportBlock => ({ kind: 'figure', svg: p.svg, caption: `${p.title} (${p.file})` })),
  ];
  const names = Object.keys(records[0]?.hyper ?? {});
  const trialRows = [...records]
    .sort((a, b) => config.methods.indexOf(a.method) - config.methods.indexOf(b.method) || a.seed - b.seed || a.trial - b.trial)
    .map((r) => [
      r.method,
      String(r.seed),
      isSearchMethod(r.method) ? String(r.trial) : '—',
      String(r.epochs.length),
      fix(r.bestVal, 4),
      fix(r.epochs[r.epochs.length - 1]?.test?.accuracy === undefined ? null : 100 * (r.epochs[r.epochs.length - 1].test?.accuracy as number), 1),
      ...names.map((n) => (r.hyper[n] === undefined ? '—' : String(Number(r.hyper[n].toPrecision(4))))),
      fix(r.wallSeconds, 1),
      r.stopped ? `stopped: ${r.stopped}` : '',
    ]);
  blocks.push({ kind: 'heading', text: 'Every run and trial' });
  blocks.push({ kind: 'table', header: ['method', 'seed', 'trial', 'epochs', 'best val loss', 'final test acc (%)', ...names, 'wall (s)', 'note'], rows: trialRows, caption: `${records.length} records of trials.jsonl (hyperparameters: the trial's, or the final T(λ))`, collapsed: true });
  blocks.push({ kind: 'heading', text: 'Configuration' });
  blocks.push({ kind: 'json', value: config });
  return { title: `Study: ${config.model} on ${config.dataset}, budget ${config.budgetEpochs} epochs`, blocks };
}

/** Whether `path` exists (a file, a directory, anything). */
function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether a parsed config.json looks like an architecture search's (it has the search's own fields). */
function looksLikeSearchConfig(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'space' in value && 'searchEpochs' in value;
}

/**
 * Whether DIR holds an architecture search (`deltastn search`): a runs.jsonl beside a config.json with the
 * search's fields (`space`, `searchEpochs`). Nothing is validated here: {@link searchPage} does, naming the file.
 */
export function isSearchDir(dir: string): boolean {
  if (!exists(join(dir, 'runs.jsonl')) || !isFile(join(dir, 'config.json'))) return false;
  try {
    return looksLikeSearchConfig(readJsonStateFile(join(dir, 'config.json'), 'DIR'));
  } catch {
    return false;
  }
}

/**
 * The page of an architecture-search directory (config.json + runs.jsonl, from `deltastn search`). Everything
 * is computed from the records (the table through {@link summarizeArchSearch} and {@link archSearchTableRows},
 * the weight plots through {@link archWeightPlots}), not read from table.md or the SVG files. Lines of runs.jsonl
 * that are not records (torn, `null`, `{}`, `42`, edited) are left out and counted on the page.
 * @throws StateFileError naming `DIR` and the file when config.json is not a valid search configuration or a
 *   file cannot be read.
 */
export function searchPage(dir: string): ReportPage {
  const config = readArchSearchConfig(join(dir, 'config.json'), 'DIR');
  const { records, bad } = readArchRecordFile(join(dir, 'runs.jsonl'), 'DIR');
  const n = randomTrials(config);
  const gradient = config.methods.filter((m) => m !== 'random');
  const expected = config.seeds.length * (gradient.length + (config.methods.includes('random') ? n : 0));
  // Jobs: one search run per gradient method and seed, n random trials per seed (what runArchSearch runs).
  const randomTrialsDone = (seed: number): number => new Set(records.flatMap((r) => (r.kind === 'random' && r.seed === seed && r.trial < n ? [r.trial] : []))).size;
  const done = config.seeds.reduce((a, seed) => a + gradient.filter((m) => records.some((r) => r.kind === 'search' && r.method === m && r.seed === seed)).length + (config.methods.includes('random') ? randomTrialsDone(seed) : 0), 0);
  const backends = [...new Set(records.map((r) => r.backend))].join(', ') || '—';
  const summary = summarizeArchSearch(config, records);
  const { header, rows, notes } = archSearchTableRows(config, summary);
  const blocks: ReportBlock[] = [
    {
      kind: 'paragraph',
      text:
        `Space ${config.space} (${config.nodes} nodes, width ${config.width}) on ${config.dataset}${config.trainSize > 0 ? ` (first ${config.trainSize} training examples)` : ''}; ` +
        `methods ${config.methods.join(', ')}; seeds ${config.seeds.join(', ')}; S = ${config.searchEpochs} search epochs, E = ${config.retrainEpochs} retraining epochs; ` +
        `random search: n = ${n} architectures per seed; backend ${backends}; ${done} of ${expected} job(s) recorded${done >= expected ? ' (complete)' : ' (incomplete: resume with the same search command)'}` +
        `${bad > 0 ? `; ${bad} unreadable or foreign line(s) in runs.jsonl left out` : ''}.`,
    },
    { kind: 'heading', text: 'Results' },
    summary.length > 0 ? { kind: 'table', header, rows } : { kind: 'paragraph', text: 'No method has finished a seed yet.' },
    { kind: 'list', items: notes },
  ];
  const weights = archWeightPlots(config, records);
  // Every seed (issue 14: only the first was drawn): one line per method and seed, the method's colour, the first
  // seed solid and the others dashed, named "method, seed s".
  const accuracySeeds = config.seeds.filter((seed) => records.some((x) => x.kind === 'search' && x.seed === seed && x.searchEpochs.length > 0));
  const accuracy: SeriesSpec[] = gradient.flatMap((method): SeriesSpec[] =>
    config.seeds.flatMap((seed, k): SeriesSpec[] => {
      const r = records.find((x) => x.kind === 'search' && x.method === method && x.seed === seed);
      if (!r || r.kind !== 'search' || r.searchEpochs.length === 0) return [];
      return [{ name: `${method}, seed ${seed}`, dashed: k > 0, points: r.searchEpochs.map((e) => [e.epoch + 1, 100 * e.val.accuracy] as [number, number]), color: SERIES_COLORS[config.methods.indexOf(method) % SERIES_COLORS.length] }];
    }),
  );
  if (accuracy.length > 0 || weights.length > 0) blocks.push({ kind: 'heading', text: 'The search' });
  if (accuracy.length > 0) {
    blocks.push({
      kind: 'figure',
      svg: lineChart({ title: `One-shot model: validation accuracy over the search (seed${accuracySeeds.length > 1 ? 's' : ''} ${accuracySeeds.join(', ')})`, x: { label: 'search epoch' }, y: { label: 'validation accuracy (%)' }, series: accuracy, width: 640, height: 360 }),
      caption: 'The mixed (one-shot) network during the search, before discretization and retraining; one line per search method and seed (a method\u2019s colour; its first seed solid, the others dashed).',
    });
  }
  for (const p of weights) blocks.push({ kind: 'figure', svg: p.svg, caption: `softmax(α) of one edge over the search epochs, one line per candidate operation (${p.name})` });
  const order = (r: ArchRecord): number => config.methods.indexOf(r.method);
  const recordRows = [...records]
    .sort((a, b) => order(a) - order(b) || a.seed - b.seed || (a.kind === 'random' && b.kind === 'random' ? a.trial - b.trial : 0))
    .map((r) => [
      r.method,
      String(r.seed),
      r.kind === 'random' ? String(r.trial) : '—',
      r.retrain.text,
      fix(100 * r.retrain.val.accuracy, 2),
      fix(100 * r.retrain.test.accuracy, 2),
      r.kind === 'search' ? fix(r.searchSeconds, 1) : '—',
      fix(r.retrain.seconds, 1),
      [r.kind === 'search' && r.stopped ? `search stopped: ${r.stopped}` : '', r.retrain.stopped ? `retraining stopped: ${r.retrain.stopped}` : ''].filter((x) => x.length > 0).join('; '),
    ]);
  blocks.push({ kind: 'heading', text: 'Every search run and random trial' });
  blocks.push({
    kind: 'table',
    header: ['method', 'seed', 'trial', 'genotype', 'retrain val acc (%)', 'retrain test acc (%)', 'search (s)', 'retrain (s)', 'note'],
    rows: recordRows,
    caption: `${records.length} records of runs.jsonl (accuracies of the retrained discrete network after ${config.retrainEpochs} epoch(s))`,
    collapsed: true,
  });
  blocks.push({ kind: 'heading', text: 'Configuration' });
  blocks.push({ kind: 'json', value: config });
  return { title: `Architecture search: ${config.space} on ${config.dataset}, S = ${config.searchEpochs}, E = ${config.retrainEpochs}`, blocks };
}

/**
 * The page of a `tune` run directory (log.jsonl, and summary.json once a call of the run has finished). Lines of
 * log.jsonl that are not epoch records (`isRunLogLine`: `{}`, `42`, torn), or whose hyperparameters differ
 * from the first epoch's, are left out and counted on the page.
 * @throws StateFileError naming `DIR` and the file when summary.json is not JSON or not an object with a
 *   `config` object, or a file cannot be read.
 */
export function runPage(dir: string): ReportPage {
  const read = readJsonLines(join(dir, 'log.jsonl'), 'DIR', isRunLogLine);
  const names = read.records.length > 0 ? Object.keys(read.records[0].hyper).join('\n') : '';
  const log: RunLogLine[] = read.records.filter((e) => Object.keys(e.hyper).join('\n') === names);
  const bad = read.bad + read.records.length - log.length;
  const summaryPath = join(dir, 'summary.json');
  let summary: { config?: Record<string, unknown>; stopped?: string } | null = null;
  if (exists(summaryPath)) {
    const value = readJsonStateFile(summaryPath, 'DIR');
    const v = value as { config?: unknown; stopped?: unknown } | null;
    if (typeof v !== 'object' || v === null || Array.isArray(v) || typeof v.config !== 'object' || v.config === null || Array.isArray(v.config) || (v.stopped !== undefined && v.stopped !== null && typeof v.stopped !== 'string')) {
      throw new StateFileError('DIR', summaryPath, 'not a tune summary (an object with a "config" object)');
    }
    summary = value as { config?: Record<string, unknown>; stopped?: string };
  }
  const cfg = summary?.config;
  const method = typeof log[0]?.method === 'string' ? log[0].method : String(cfg?.method ?? '?');
  const title = `Run: ${method}${cfg ? ` — ${String(cfg.model)} on ${String(cfg.dataset)}` : ''}`;
  const blocks: ReportBlock[] = [
    {
      kind: 'paragraph',
      text: `${log.length} epoch(s) in log.jsonl${bad > 0 ? ` (${bad} unreadable or foreign line(s) left out)` : ''}; backend ${log[0]?.backend ?? '—'}${summary ? '' : '; no summary.json (the run did not finish, or is still running)'}${summary?.stopped ? `; stopped: ${summary.stopped}` : ''}.`,
    },
  ];
  if (log.length > 0) {
    const ep = (i: number): number => log[i].epoch + 1;
    const names = Object.keys(log[0].hyper);
    const sets: ['train' | 'val' | 'test', string][] = [
      ['train', 'train'],
      ['val', 'validation'],
      ['test', 'test'],
    ];
    const curve = (f: 'loss' | 'accuracy', scale: number): SeriesSpec[] =>
      sets.filter(([s]) => log.every((e) => e[s] !== undefined)).map(([s, label]) => ({ name: label, points: log.map((e, i) => [ep(i), scale * (e[s] as { loss: number; accuracy: number })[f]] as [number, number]) }));
    blocks.push({ kind: 'heading', text: 'Training curves' });
    blocks.push({ kind: 'figure', svg: lineChart({ title: 'Loss', x: { label: 'epoch' }, y: { label: 'cross-entropy' }, series: curve('loss', 1) }) });
    blocks.push({ kind: 'figure', svg: lineChart({ title: 'Accuracy', x: { label: 'epoch' }, y: { label: 'accuracy (%)' }, series: curve('accuracy', 100) }) });
    blocks.push({ kind: 'heading', text: 'Hyperparameters' });
    for (const n of names) {
      blocks.push({ kind: 'figure', svg: lineChart({ title: `${n} (its own units)`, x: { label: 'epoch' }, y: { label: n }, series: [{ name: n, points: log.map((e, i) => [ep(i), e.hyper[n].value] as [number, number]) }], height: 300 }) });
    }
    const band: SeriesSpec[] = names.flatMap((n, k) => {
      const color = SERIES_COLORS[k % SERIES_COLORS.length];
      const pts = (sgn: number): [number, number][] => log.map((e, i) => [ep(i), e.lambda[k] + sgn * e.hyper[n].scale]);
      return [
        { name: `λ ${n}`, color, points: pts(0) },
        { name: `${n} −σ`, color, dashed: true, points: pts(-1) },
        { name: `${n} +σ`, color, dashed: true, points: pts(1) },
      ];
    });
    blocks.push({ kind: 'figure', svg: lineChart({ title: 'λ (unconstrained) with λ ± σ dashed', x: { label: 'epoch' }, y: { label: 'λ' }, series: band, height: 460 }) });
    blocks.push({ kind: 'heading', text: 'Epochs' });
    blocks.push({
      kind: 'table',
      // σ is the perturbation scale of the unconstrained λ, not of T(λ): its own column, labelled so, beside the
      // value in the hyperparameter's own units (printed as "value (σ)" it read as a second rate; issue 14).
      caption: `Each hyperparameter's value T(λ) at the end of the epoch, in its own units, and σ, the perturbation scale of λ, the unconstrained hyperparameter (T maps λ to the value; σ is in λ's units, not the value's).`,
      header: ['epoch', 'train loss', 'train acc (%)', 'val loss', 'val acc (%)', 'test loss', 'test acc (%)', ...names.flatMap((n) => [n, `σ of λ (${n}), unconstrained`]), 'seconds'],
      rows: log.map((e, i) => [
        String(ep(i)),
        fix(e.train.loss, 4),
        fix(100 * e.train.accuracy, 1),
        fix(e.val.loss, 4),
        fix(100 * e.val.accuracy, 1),
        fix(e.test?.loss, 4),
        fix(e.test ? 100 * e.test.accuracy : null, 1),
        ...names.flatMap((n) => [String(Number(e.hyper[n].value.toPrecision(4))), String(Number(e.hyper[n].scale.toPrecision(3)))]),
        fix(e.seconds, 2),
      ]),
    });
  }
  if (cfg) {
    blocks.push({ kind: 'heading', text: 'Configuration' });
    blocks.push({ kind: 'json', value: cfg });
  }
  return { title, blocks };
}

/**
 * Writes `DIR/report.html` for a study directory, an architecture-search directory or a `tune` run directory
 * and returns its path and kind.
 * @throws InvalidArgumentError naming `DIR` when the directory holds none of them.
 */
export function writeReport(dir: string): { path: string; kind: 'study' | 'search' | 'run' } {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new InvalidArgumentError('DIR', 'an existing directory (from deltastn compare, search or tune)', dir);
  let page: ReportPage;
  let kind: 'study' | 'search' | 'run';
  if (isSearchDir(dir)) {
    page = searchPage(dir);
    kind = 'search';
  } else if (exists(join(dir, 'config.json')) && exists(join(dir, 'trials.jsonl'))) {
    page = studyPage(dir);
    kind = 'study';
  } else if (exists(join(dir, 'log.jsonl'))) {
    page = runPage(dir);
    kind = 'run';
  } else {
    throw new InvalidArgumentError(
      'DIR',
      'a study directory (config.json and trials.jsonl, from `deltastn compare`), a search directory (config.json and runs.jsonl, from `deltastn search`) or a run directory (log.jsonl, from `deltastn tune`)',
      dir,
    );
  }
  const path = join(dir, 'report.html');
  writeFileAtomic(path, renderHtml(page), 'DIR');
  return { path, kind };
}
