/**
 * `deltastn report DIR`: one self-contained HTML page for a study directory (`config.json` + `trials.jsonl`,
 * written by `deltastn compare`) or a `tune` run directory (`log.jsonl`). Node only (it reads the directory).
 *
 * @remarks
 * The page is readable offline and fetches nothing: the plots are inline SVG (drawn by Observable Plot on
 * the server side, src/report/plot.ts), the style is an inline `<style>` with system fonts, and there is no
 * script, link, image or font reference. Even the SVG namespace URL is dropped: inside HTML the parser puts
 * `<svg>` in the SVG namespace by itself, so the page contains no `http(s)://` at all. Every text is
 * HTML-escaped.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import type { EpochLog } from '../nn/trainer.js';
import { isSearchMethod, readTrials, studyPlots, studyTable, summarizeStudy, type StudyConfig } from '../tune/study.js';
import { lineChart, SERIES_COLORS, type SeriesSpec } from './plot.js';

/** One block of a report page. */
export type ReportBlock =
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; header: string[]; rows: string[][]; caption?: string; collapsed?: boolean }
  | { kind: 'figure'; svg: string; caption?: string }
  | { kind: 'json'; value: unknown; caption?: string };

/** A report page: a title and its blocks, in order. */
export interface ReportPage {
  title: string;
  blocks: ReportBlock[];
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** An SVG string ready to inline in HTML: the XML prolog and the namespace declarations (URLs) removed. */
export function inlineSvg(svg: string): string {
  return svg
    .replace(/<\?xml[^>]*\?>\s*/g, '')
    .replace(/\s+xmlns(:[A-Za-z]+)?="[^"]*"/g, '')
    .trim();
}

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #222; background: #fff; }
main { max-width: 1100px; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td { font-variant-numeric: tabular-nums; }
td:not(:last-child) { white-space: nowrap; }
figure { margin: 1rem 0; } figcaption { font-size: 0.85rem; color: #555; }
svg { max-width: 100%; height: auto; }
pre { background: #f7f7f7; padding: 0.75rem; overflow-x: auto; font-size: 0.85rem; }
li { margin: 0.2rem 0; }
`;

function renderTable(b: Extract<ReportBlock, { kind: 'table' }>): string {
  const head = `<tr>${b.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = b.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  const table = `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
  if (b.collapsed) return `<details><summary>${escapeHtml(b.caption ?? 'table')}</summary>\n${table}\n</details>`;
  return (b.caption ? `<p><strong>${escapeHtml(b.caption)}</strong></p>\n` : '') + table;
}

/** Renders a page as one HTML document (see the module remarks: nothing external). */
export function renderHtml(page: ReportPage): string {
  const parts = page.blocks.map((b) => {
    switch (b.kind) {
      case 'heading':
        return `<h2>${escapeHtml(b.text)}</h2>`;
      case 'paragraph':
        return `<p>${escapeHtml(b.text)}</p>`;
      case 'list':
        return `<ul>\n${b.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('\n')}\n</ul>`;
      case 'table':
        return renderTable(b);
      case 'figure':
        return `<figure>\n${inlineSvg(b.svg)}\n${b.caption ? `<figcaption>${escapeHtml(b.caption)}</figcaption>\n` : ''}</figure>`;
      case 'json':
        return (b.caption ? `<p><strong>${escapeHtml(b.caption)}</strong></p>\n` : '') + `<pre>${escapeHtml(JSON.stringify(b.value, null, 2))}</pre>`;
    }
  });
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(page.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<h1>${escapeHtml(page.title)}</h1>`,
    ...parts,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const fix = (x: number | null | undefined, d: number): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));

/** The page of a study directory (config.json + trials.jsonl). */
export function studyPage(dir: string): ReportPage {
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as StudyConfig;
  const { records, bad } = readTrials(join(dir, 'trials.jsonl'));
  const summary = summarizeStudy(config, records);
  const { header, rows, notes } = studyTable(summary);
  const backends = [...new Set(records.map((r) => r.backend))].join(', ') || '—';
  const blocks: ReportBlock[] = [
    {
      kind: 'paragraph',
      text:
        `${config.model} on ${config.dataset}${config.trainSize > 0 ? ` (first ${config.trainSize} training examples)` : ''}, width ${config.width}, ` +
        `budget ${config.budgetEpochs} training epochs per method and seed, search trials of ${config.trialEpochs} epoch(s), seeds ${config.seeds.join(', ')}; ` +
        `backend ${backends}; ${records.length} run(s)/trial(s) recorded${summary.complete ? ' (complete)' : ' (incomplete: resume with the same compare command)'}${bad ? `; ${bad} unreadable line(s) in trials.jsonl` : ''}.`,
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

/** The page of a `tune` run directory (log.jsonl, and summary.json when the run finished). */
export function runPage(dir: string): ReportPage {
  const log = readFileSync(join(dir, 'log.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .flatMap((l): (EpochLog & { backend?: string })[] => {
      try {
        return [JSON.parse(l) as EpochLog & { backend?: string }];
      } catch {
        return [];
      }
    });
  const summaryPath = join(dir, 'summary.json');
  const summary = existsSync(summaryPath) ? (JSON.parse(readFileSync(summaryPath, 'utf8')) as { config?: Record<string, unknown>; stopped?: string }) : null;
  const cfg = summary?.config;
  const method = log[0]?.method ?? String(cfg?.method ?? '?');
  const title = `Run: ${method}${cfg ? ` — ${String(cfg.model)} on ${String(cfg.dataset)}` : ''}`;
  const blocks: ReportBlock[] = [
    { kind: 'paragraph', text: `${log.length} epoch(s) in log.jsonl; backend ${log[0]?.backend ?? '—'}${summary ? '' : '; no summary.json (the run did not finish, or is still running)'}${summary?.stopped ? `; stopped: ${summary.stopped}` : ''}.` },
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
      header: ['epoch', 'train loss', 'train acc (%)', 'val loss', 'val acc (%)', 'test loss', 'test acc (%)', ...names.map((n) => `${n} (σ)`), 'seconds'],
      rows: log.map((e, i) => [
        String(ep(i)),
        fix(e.train.loss, 4),
        fix(100 * e.train.accuracy, 1),
        fix(e.val.loss, 4),
        fix(100 * e.val.accuracy, 1),
        fix(e.test?.loss, 4),
        fix(e.test ? 100 * e.test.accuracy : null, 1),
        ...names.map((n) => `${Number(e.hyper[n].value.toPrecision(4))} (${Number(e.hyper[n].scale.toPrecision(3))})`),
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
 * Writes `DIR/report.html` for a study directory or a `tune` run directory and returns its path and kind.
 * @throws InvalidArgumentError naming `DIR` when the directory holds neither.
 */
export function writeReport(dir: string): { path: string; kind: 'study' | 'run' } {
  let page: ReportPage;
  let kind: 'study' | 'run';
  if (existsSync(join(dir, 'config.json')) && existsSync(join(dir, 'trials.jsonl'))) {
    page = studyPage(dir);
    kind = 'study';
  } else if (existsSync(join(dir, 'log.jsonl'))) {
    page = runPage(dir);
    kind = 'run';
  } else throw new InvalidArgumentError('DIR', 'a study directory (config.json and trials.jsonl, from `deltastn compare`) or a run directory (log.jsonl, from `deltastn tune`)', dir);
  const path = join(dir, 'report.html');
  writeFileSync(path, renderHtml(page));
  return { path, kind };
}
