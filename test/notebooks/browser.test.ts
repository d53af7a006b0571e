/**
 * The notebooks in a real browser: builds them (`npm run notebooks`), serves the build on 127.0.0.1, opens
 * each in headless Debian Chromium through playwright-core, and checks that
 * - no cell shows an error (Notebook Kit renders a failed cell with the inspector class `observablehq--error`
 *   and logs it with console.error; both are checked, and uncaught page errors too),
 * - the page makes no request outside 127.0.0.1 (no CDN at view time),
 * - every notebook except the index draws at least one chart (an `<svg>` from Plot),
 * - no page loads TensorFlow.js (no script it loads contains tfjs's `tfjsflags`): none computes a network,
 * - no table cell wraps (a number such as 3.55688e-12 stays on one line),
 * - each line the page draws dashed carries its dash array in the SVG (Observable Plot ignores a function
 *   `strokeDasharray`, so a page that passes one draws solid; see {@link DASHES}), and curves that coincide
 *   are drawn once, named together (ridge, jacobian),
 * - each value the page exposes as `<output data-check="name" data-value="…">` equals the same value
 *   computed here by the library in Node (the page runs the same TypeScript sources, bundled by Vite): bit for
 *   bit where the arithmetic allows it, else to a relative 1e-12 (see {@link Expected}),
 * - an input moved in the page recomputes the value (OBS-1; NAS: ξ and σ), and the runs notebook reads files
 *   the reader picks (a tune log plus a compare study's summary and config.json; a search study's runs.jsonl,
 *   whose table, per-method test accuracy and softmax weights must equal the library's
 *   `summarizeArchSearch`/`archSearchTableRows` in Node, wall time to two significant digits),
 * - the OBS-1 heatmap labels its rows and columns with the coordinates of vec[w₀, Θ].
 * Full-page screenshots go to notebooks/dist/screenshots/ (git-ignored); `node bin/screenshots.js` copies the
 * ones the README shows into docs/.
 *
 * Where /usr/bin/chromium is absent (apt-get install chromium), the whole suite is skipped and its name says
 * why; CI installs it (.ci/run).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { serveDirectory, type Served } from '../../notebooks/serve.js';
import { mergeCoincident } from '../../notebooks/lib/plotting.js';
import { formatWallSeconds, withWallSeconds } from '../../notebooks/lib/runs.js';
import {
  appE,
  archSearchTableRows,
  conditioningExperiment,
  conditioningReport,
  interactionExperiment,
  jacobianExperiment,
  lin,
  logGrid,
  nasExperiment,
  obs2,
  PLOT_ERROR_FLOOR,
  ridgeExperiment,
  formatAccuracy,
  scalarToys,
  summarizeArchSearch,
  thm3Report,
  toNumber,
  type ArchMethodSummary,
  type ArchRecord,
  type ArchSummaryConfig,
  type NasExperimentResult,
} from '../../src/index.js';
import type { StudySummary, TrialRecord } from '../../src/tune/study.js';

/**
 * The DOM the page functions below use. They run in the page, not in Node; the project's tsconfig has no DOM
 * lib (and should not get one for this file alone), so the little they touch is declared here.
 */
interface PageElement {
  getAttribute(name: string): string | null;
  parentNode: PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  closest(selector: string): PageElement | null;
  classList: { contains(name: string): boolean };
  textContent: string | null;
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  createRange(): { selectNodeContents(node: PageElement): void; getClientRects(): ArrayLike<{ top: number; height: number }> };
};

const CHROMIUM = '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
// The default reporter shows a skipped file only as a count; say why on stderr too.
if (!present) console.warn(`test/notebooks/browser.test.ts SKIPPED: chromium not installed at ${CHROMIUM} (apt-get install chromium)`);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SITE = join(ROOT, 'notebooks/dist/site');
const SHOTS = join(ROOT, 'notebooks/dist/screenshots');
const SAMPLE = join(ROOT, 'notebooks/data');

/** The inputs every notebook starts with (its sliders' defaults), mirrored here to compute the same values. */
const G = [
  [2, 1],
  [1, 3],
];
const obs2Input = (deg: number): obs2.Obs2QuadraticInput => {
  const t = (deg * Math.PI) / 180;
  return { A: [[2, '1/2'], ['1/2', 1]], B: [[1], [0]], b: [1, 0], C: [[1, 0], [0, 1]], v: ['3/2', '-1/2'], general: [1, 1], lambda: [0], response: [[Math.cos(t)], [Math.sin(t)]] };
};
const countLines = (file: string): number =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0).length;

/**
 * One value a page exposes, and how it must compare with the library in Node.
 *
 * `relTol` 0 means bit for bit. That holds where the computation uses only +, −, ×, ÷ and √ (correctly rounded
 * in IEEE 754 on both sides) or exact rationals. It does not hold through Math.exp, log, pow, sin, cos, atan:
 * Chromium 156's V8 and Node 20's V8 differ in the last bit of those (measured on this machine: 192 of 2 000
 * arguments for exp, 207 for pow, 101 for log; 0 for tanh, expm1, log1p, sqrt, hypot). Such values are
 * compared at a relative 1e-12: the computations behind them are well conditioned (fixed points of
 * contractions, Newton solves, no cancellation), and the largest difference seen was 3.6e-15 relative
 * (interaction), so 1e-12 leaves a margin of ~300 while still catching any wrong input or formula.
 */
interface Expected {
  value: () => number;
  relTol: number;
}
const exact = (value: () => number): Expected => ({ value, relTol: 0 });
const close = (value: () => number): Expected => ({ value, relTol: 1e-12 });

/** The NAS toy at the page's defaults (ξ = 1, σ = 0.05), computed once for its five checks. */
let nasDefaults: NasExperimentResult | undefined;
const nasAtDefaults = (): NasExperimentResult => (nasDefaults ??= nasExperiment({ xi: 1, scale: 0.05 }));
const nasFinalDelta = (method: string): number => {
  const run = nasAtDefaults().runs.find((r) => r.method === method);
  if (!run) throw new Error(`nasExperiment has no run named ${method}`);
  return run.finalDelta;
};

/**
 * The bundled search sample (notebooks/data/search-mlp-cell) summarized in Node by the browser-safe API, as the
 * runs page does: its config.json, its records, and `summarizeArchSearch` of them.
 */
const SEARCH = join(SAMPLE, 'search-mlp-cell');
let searchSample: { config: ArchSummaryConfig; records: ArchRecord[]; summary: ArchMethodSummary[] } | undefined;
const searchAtDefaults = (): NonNullable<typeof searchSample> => {
  if (searchSample) return searchSample;
  const config = JSON.parse(readFileSync(join(SEARCH, 'config.json'), 'utf8')) as ArchSummaryConfig;
  const records = readFileSync(join(SEARCH, 'runs.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as ArchRecord);
  return (searchSample = { config, records, summary: summarizeArchSearch(config, records) });
};
const searchMethodSummary = (method: string): ArchMethodSummary => {
  const m = searchAtDefaults().summary.find((x) => x.method === method);
  if (!m) throw new Error(`the search sample has no finished ${method}`);
  return m;
};
/** The largest non-zero operation's softmax weight on `edge` at the end of `method`'s search (seed 0), as stored in runs.jsonl. */
const searchWeightLead = (method: string, edge: string): number => {
  const r = searchAtDefaults().records.find((x) => x.kind === 'search' && x.method === method && x.seed === 0);
  if (!r || r.kind !== 'search') throw new Error(`the search sample has no ${method} run`);
  return Math.max(...Object.entries(r.searchEpochs[r.searchEpochs.length - 1].weights[edge]).flatMap(([op, w]) => (op === 'zero' ? [] : [w])));
};

/** Per notebook: each `data-check` name and the library's value for the page's default inputs. */
const EXPECTED: Record<string, Record<string, Expected>> = {
  obs1: {
    kappaMUncentered: exact(() => conditioningReport({ G, lambdaBar: [2], sigma: [0.5] }).kappaMUncentered),
    kappaMCentered: exact(() => conditioningReport({ G, lambdaBar: [2], sigma: [0.5] }).kappaMCentered),
  },
  // Θ = (cos φ, sin φ): cos and sin may differ in the last bit between the two V8s (they agree at φ = 160°
  // today); everything after them is exact rational arithmetic.
  obs2: { heldSlope: close(() => toNumber(obs2.obs2Prediction(obs2.parseObs2Quadratic(obs2Input(160))).heldSlope)) },
  thm3: { rate: exact(() => thm3Report({ A: [[2, 1], [1, 3]], B: [[1], ['1/2']], b: [1, 0], lambda0: ['1/3'], sigma: [0.5], eta: 1 }).rate) },
  appE: { stnBias0: close(() => appE.weightDecayStnBias(appE.PT6_PROBLEM, 0, 0.5)[0]) },
  lin: {
    linearized: close(() => {
      const toy = scalarToys.tanhToy(lin.PT11_DATA.x, lin.PT11_DATA.y, { weightDecay: true });
      return lin.linearizedResponse(toy, -1, scalarToys.bestResponseScalar(toy, -1, { start: 0 }), 0.5);
    }),
  },
  // The lines drawn: curves that coincide within half a pixel are drawn once (notebooks/lib/plotting.ts), the
  // same grouping computed here on the library's output. At the defaults: the four exact methods as one line,
  // STN with centered STN, Δ-STN with its linearization (hyper-descent); in the online run, which methods
  // coincide is whatever the grouping finds, and must match.
  ridge: {
    lambdaStar: close(() => ridgeExperiment({ scale: 0.05, lambda0: 0, online: false }).lambdaStar),
    deltaStnFixedPoint: close(() => ridgeExperiment({ scale: 0.05, lambda0: 0, methods: ['delta-stn'], online: false }).methods[0].finalLambda),
    descentLines: exact(() => ridgeLines().descent),
    onlineLines: exact(() => ridgeLines().online),
  },
  jacobian: {
    deltaStnResponseSmallestSigma: close(() => {
      const r = jacobianExperiment({ problems: ['tanh'], scales: logGrid(0.01, 2, 12) });
      return r.problems[0].rows.find((row) => row.scale === r.scales[0] && row.method === 'delta-stn')!.response[0][0];
    }),
    jacobianLines: exact(() => {
      const r = jacobianExperiment({ problems: ['tanh'], scales: logGrid(0.01, 2, 12) });
      const rows = r.problems[0].rows.map((row) => ({ sigma: row.scale, method: row.method, error: Math.max(row.errorToExact, PLOT_ERROR_FLOOR) }));
      return new Set(mergeCoincident(rows, 'method', 'sigma', 'error', { log: true, height: 280 }).rows.map((d) => d.method)).size;
    }),
  },
  conditioning: {
    kappaUncenteredLast: close(() => conditioningExperiment({ scale: 1, ratios: [0, 0.5, 1, 2, 4, 8], maxIterations: 50000 }).rows[5].uncentered.conditionNumber),
  },
  interaction: {
    stnFinalLambda: close(() => interactionExperiment({ starts: [1], hyperRates: [2], scale: 0.5, cycles: 300 }).runs.find((r) => r.variant === 'stn')!.finalLambda),
  },
  // softmax goes through Math.exp, so `close`; every value is the limit of a contracting hyper-descent (or a
  // bisection on the exact slope for δ*) from the same start, which damps last-bit differences.
  nas: {
    deltaStar: close(() => nasAtDefaults().exact.delta),
    darts1FinalDelta: close(() => nasFinalDelta('darts1')),
    darts2FinalDelta: close(() => nasFinalDelta('darts2-finite-difference')),
    iftFinalDelta: close(() => nasFinalDelta('ift-dense')),
    deltaStnFinalDelta: close(() => nasFinalDelta('delta-stn')),
  },
  // Means over one seed and stored weights: the page and Node do the same arithmetic on the same numbers.
  runs: {
    epochRows: exact(() => countLines(join(SAMPLE, 'tune-delta-stn/log.jsonl')) + countLines(join(SAMPLE, 'tune-stn/log.jsonl'))),
    // The sample comes with its config.json, and the page uses it.
    searchConfigFromFile: exact(() => 1),
    searchRecords: exact(() => countLines(join(SEARCH, 'runs.jsonl'))),
    searchMethods: exact(() => searchAtDefaults().summary.length),
    'searchTest-delta-stn': exact(() => searchMethodSummary('delta-stn').test.mean),
    // The page opens on Δ-STN and the first edge.
    searchWeightLead: exact(() => searchWeightLead('delta-stn', 'e01')),
  },
  index: {},
};
const NOTEBOOKS = Object.keys(EXPECTED);

/** The ridge page's drawn lines at its defaults (σ = 0.05, λ₀ = 0, 600 online cycles), as the page groups them. */
let ridgeDefaults: { descent: number; online: number; merged: string[][] } | undefined;
function ridgeLines(): NonNullable<typeof ridgeDefaults> {
  if (ridgeDefaults) return ridgeDefaults;
  const result = ridgeExperiment({ scale: 0.05, lambda0: 0, onlineCycles: 600 });
  const descent = mergeCoincident(
    result.methods.flatMap((m) => m.trajectory.filter(([t]) => t <= 200).map(([t, l]) => ({ t, d: Math.max(Math.abs(l - result.lambdaStar), 1e-16), method: m.method }))),
    'method',
    't',
    'd',
    { log: true, height: 260 },
  );
  const online = mergeCoincident(
    result.online.flatMap((o) => o.trajectory.map(([c, l]) => ({ c, l, method: o.method }))),
    'method',
    'c',
    'l',
    { log: false, height: 260 },
  );
  const lines = (rows: { method: string }[]): number => new Set(rows.map((d) => d.method)).size;
  return (ridgeDefaults = { descent: lines(descent.rows), online: lines(online.rows), merged: [...descent.merged, ...online.merged] });
}

/**
 * Per notebook, the lines it draws dashed or solid, by the `ariaDescription` each line mark carries: the dash
 * array the SVG must carry (null: solid, no `stroke-dasharray`), as the page's text promises.
 */
const DASHES: Record<string, Record<string, string | null>> = {
  runs: { validation: null, training: '5,3', test: '1,3' },
  thm3: { iterates: null, theory: '4,3' },
  conditioning: { iterations: null, bound: '5,3' },
};

/** The line marks of the page's charts that carry a description: description, dash array, paths drawn. */
async function lineMarks(page: Page): Promise<{ description: string; dash: string | null; paths: number }[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('main svg g[aria-label="line"][aria-description]')).map((g) => ({
      description: g.getAttribute('aria-description') ?? '',
      dash: g.getAttribute('stroke-dasharray'),
      paths: g.querySelectorAll('path').length,
    })),
  );
}

/** The text of every table cell that wraps onto more than one line (cells meant to hold several lines excepted). */
async function wrappedCells(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('main .nb-table td'))
      .filter((td) => !td.classList.contains('nb-lines'))
      .filter((td) => {
        const range = document.createRange();
        range.selectNodeContents(td);
        const tops = new Set(Array.from(range.getClientRects()).filter((r) => r.height > 0).map((r) => Math.round(r.top)));
        return tops.size > 1;
      })
      .map((td) => td.textContent ?? ''),
  );
}

/** The asset files of the build that carry TensorFlow.js (its URL-flag parser reads `tfjsflags`). */
function loadsTensorflow(scriptUrls: readonly string[]): string[] {
  return scriptUrls.filter((u) => {
    const path = join(SITE, decodeURIComponent(new URL(u).pathname));
    return existsSync(path) && readFileSync(path, 'utf8').includes('tfjsflags');
  });
}

/** What went wrong on a page while it ran. */
interface PageLog {
  external: string[];
  scripts: string[];
  consoleErrors: string[];
  pageErrors: string[];
}

function isLocal(url: string): boolean {
  const u = new URL(url);
  return u.protocol === 'data:' || u.protocol === 'blob:' || (u.protocol === 'http:' && u.hostname === '127.0.0.1');
}

async function open(context: BrowserContext, url: string): Promise<{ page: Page; log: PageLog }> {
  const page = await context.newPage();
  const log: PageLog = { external: [], scripts: [], consoleErrors: [], pageErrors: [] };
  page.on('request', (r) => {
    if (!isLocal(r.url())) log.external.push(r.url());
    else if (r.resourceType() === 'script' || new URL(r.url()).pathname.endsWith('.js')) log.scripts.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error') log.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => log.pageErrors.push(e.message));
  await page.goto(url);
  return { page, log };
}

/**
 * Opens `url`, runs `body`, then checks that the page showed no cell error, logged no console or page error,
 * made no request outside 127.0.0.1 and loaded no script carrying TensorFlow.js, and closes it.
 */
async function inPage(context: BrowserContext, url: string, body: (page: Page, log: PageLog) => Promise<void>): Promise<void> {
  const { page, log } = await open(context, url);
  try {
    await body(page, log);
    expect(await cellErrors(page)).toEqual([]);
    expect(log.consoleErrors).toEqual([]);
    expect(log.pageErrors).toEqual([]);
    expect(log.external).toEqual([]);
    expect(log.scripts.length).toBeGreaterThan(0);
    expect(loadsTensorflow(log.scripts), `${url}: scripts that carry TensorFlow.js`).toEqual([]);
  } finally {
    await page.close();
  }
}

/**
 * Waits until every expected `data-check` output and (unless `charts` is 0) a chart are on the page, or a cell
 * has failed (so that the test reports the cell's error rather than a timeout), then until the network is idle.
 */
async function settle(page: Page, checks: string[], charts: number): Promise<void> {
  await page.waitForFunction(
    ([names, n]) =>
      document.querySelector('.observablehq--error') !== null ||
      ((names as string[]).every((c) => document.querySelector(`[data-check="${c}"]`) !== null) && document.querySelectorAll('main svg').length >= (n as number)),
    [checks, charts] as const,
    { timeout: 30_000 },
  );
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(300);
}

async function pageValue(page: Page, name: string): Promise<number> {
  const v = await page.getAttribute(`[data-check="${name}"]`, 'data-value');
  return Number(v);
}

async function cellErrors(page: Page): Promise<string[]> {
  return page.$$eval('.observablehq--error', (els) => els.map((e) => (e.textContent ?? '').slice(0, 300)));
}

describe.skipIf(!present)(present ? 'notebooks in headless Chromium' : 'notebooks in headless Chromium — SKIPPED: chromium not installed (apt-get install chromium)', () => {
  let served: Served;
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    const build = spawnSync('npm', ['run', '--silent', 'notebooks'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`npm run notebooks failed (exit ${build.status}):\n${build.stdout}\n${build.stderr}`);
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    served = await serveDirectory(SITE);
    profile = mkdtempSync(join(tmpdir(), 'deltastn-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1000, height: 800 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await served?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test('the build has one page per notebook, and the index links only to pages that exist', () => {
    const pages = readdirSync(SITE).filter((f) => f.endsWith('.html'));
    expect(pages.sort()).toEqual(NOTEBOOKS.map((n) => `${n}.html`).sort());
    const links = [...readFileSync(join(ROOT, 'notebooks/index.html'), 'utf8').matchAll(/\]\(\.\/([\w-]+\.html)\)/g)].map((m) => m[1]);
    expect(links.length).toBe(NOTEBOOKS.length - 1);
    for (const l of links) expect(pages).toContain(l);
  });

  test.each(NOTEBOOKS)('%s: no cell error, no request outside 127.0.0.1, a chart, and its values equal the library in Node', async (name) => {
    const checks = EXPECTED[name];
    const charts = name === 'index' ? 0 : 1;
    await inPage(context, `${served.url}${name}.html`, async (page) => {
        await settle(page, Object.keys(checks), charts);
        await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
        expect(await page.locator('main svg').count()).toBeGreaterThanOrEqual(charts);
        expect(await wrappedCells(page), `${name}: table cells that wrap`).toEqual([]);
        const marks = await lineMarks(page);
        for (const [description, dash] of Object.entries(DASHES[name] ?? {})) {
          const mark = marks.filter((m) => m.description === description);
          expect(mark.length, `${name}: line marks described "${description}"`).toBeGreaterThan(0);
          for (const m of mark) {
            expect(m.dash, `${name}: dash array of "${description}"`).toBe(dash);
            expect(m.paths, `${name}: lines drawn for "${description}"`).toBeGreaterThan(0);
          }
        }
        for (const [check, { value, relTol }] of Object.entries(checks)) {
          const got = await pageValue(page, check);
          const want = value();
          if (relTol === 0) expect(got, `${name}: ${check}`).toBe(want);
          else expect(Math.abs(got - want), `${name}: ${check} = ${got} in the page, ${want} in Node`).toBeLessThanOrEqual(relTol * Math.abs(want));
        }
    });
  });

  test('obs1: moving the sliders recomputes κ(M_u), and it still equals the library', async () => {
    await inPage(context, `${served.url}obs1.html`, async (page) => {
        await settle(page, ['kappaMUncentered'], 1);
        const before = await pageValue(page, 'kappaMUncentered');
        const set = async (slider: string, value: string): Promise<void> => {
          await page.$eval(
            `input[data-name="${slider}"]`,
            (el, v) => {
              (el as unknown as { value: string }).value = v;
              el.dispatchEvent(new Event('input', { bubbles: true }));
            },
            value,
          );
        };
        await set('h', '2');
        await set('lambdaBar', '-1.5');
        await set('sigma', '1.25');
        const expected = conditioningReport({ G, lambdaBar: [-1.5, -1.5], sigma: [1.25, 1.25] }).kappaMUncentered;
        await page.waitForFunction((v) => document.querySelector('[data-check="kappaMUncentered"]')?.getAttribute('data-value') === v, String(expected), { timeout: 15_000 });
        expect(before).not.toBe(expected);
    });
  });

  test('ridge and jacobian: coinciding curves are drawn once and named together in the legend; ridge runs 600 online cycles', async () => {
    await inPage(context, `${served.url}ridge.html`, async (page) => {
      await settle(page, ['descentLines', 'onlineLines'], 2);
      const { merged } = ridgeLines();
      // At the defaults the four exact methods coincide (they all reach λ* to rounding).
      expect(merged).toContainEqual(['ift-dense', 'ift-cg', 'ift-neumann', 'unrolled']);
      const legend = await page.$$eval('main [class$="-swatch"]', (els) => els.map((e) => (e.textContent ?? '').trim()));
      for (const g of merged) expect(legend, g.join(' = ')).toContain(g.join(' = '));
      expect(await page.textContent('main')).toContain('online final λ (600 cycles)');
    });
    // Jacobian: STN and centered STN fit the same affine response; at the defaults their curves coincide.
    await inPage(context, `${served.url}jacobian.html`, async (page) => {
      await settle(page, ['jacobianLines'], 1);
      const legend = await page.$$eval('main [class$="-swatch"]', (els) => els.map((e) => (e.textContent ?? '').trim()));
      expect(legend).toContain('stn = centered-stn');
      expect(legend).not.toContain('stn');
    });
  });

  test('interaction: at the page\'s default start the uncentered overshoot is a visible part of the drawn range', () => {
    // The page opens at λ = 1 (α₂ = 2, σ = 0.5): the overshoot must be at least 5 % of the distance λ travels,
    // i.e. some 10 pixels of the chart (from λ = −4 it was 0.3 %, under a pixel).
    const r = interactionExperiment({ starts: [1], hyperRates: [2], scale: 0.5, cycles: 300 });
    const stn = r.runs.find((x) => x.variant === 'stn')!;
    const centered = r.runs.find((x) => x.variant === 'centered-stn')!;
    expect(stn.overshoot).toBeGreaterThan(0.05 * Math.abs(1 - stn.finalLambda));
    expect(centered.overshoot).toBeLessThan(1e-9);
  });

  test('obs1: the heatmap labels its rows and columns by the coordinates of vec[w₀, Θ]', async () => {
    await inPage(context, `${served.url}obs1.html`, async (page) => {
      await settle(page, ['kappaMUncentered'], 3);
      const ticks = async (axis: string): Promise<string[]> =>
        page.evaluate((a) => {
          const svg = Array.from(document.querySelectorAll('main svg')).find((s) => s.querySelectorAll('g[aria-label="rect"]').length > 0);
          return svg ? Array.from(svg.querySelectorAll(`g[aria-label="${a}-axis tick label"] text`)).map((t) => t.textContent ?? '') : [];
        }, axis);
      // h = 1 at the defaults: ψ = vec[w₀, Θ] has the 2 entries of w₀ and the 2 of Θ's one column.
      const want = ['w₀,₁', 'w₀,₂', 'Θ₁₁', 'Θ₂₁'];
      expect(await ticks('x')).toEqual(want);
      expect(await ticks('y')).toEqual(want);
    });
  });

  test('log axes print plain scientific ticks: no SI prefix, no comb of minor ticks', async () => {
    for (const name of ['obs1', 'thm3', 'ridge', 'jacobian', 'conditioning', 'appE', 'lin']) {
      await inPage(context, `${served.url}${name}.html`, async (page) => {
        await settle(page, Object.keys(EXPECTED[name]), 1);
        const axes = await page.evaluate(() =>
          Array.from(document.querySelectorAll('main svg g[aria-label$="-axis tick"]')).map((g) => {
            const labels = g.parentNode?.querySelectorAll(`g[aria-label="${g.getAttribute('aria-label')} label"] text`);
            return { ticks: g.querySelectorAll('path').length, labels: labels ? Array.from(labels).map((t) => t.textContent ?? '') : [] };
          }),
        );
        expect(axes.length, name).toBeGreaterThan(0);
        for (const { ticks, labels } of axes) {
          // Plot's default log axis draws a tick at every 1…9 × 10ᵉ (30 to 60 of them here); ours at most 8,
          // and the linear axes about 9.
          expect(ticks, `${name}: ${labels.join(' ')}`).toBeLessThanOrEqual(12);
          // d3's SI format writes 10m, 100µ, 2k, 1M; a plain or scientific label never ends in one of these.
          for (const l of labels) expect(l, `${name}: tick label`).not.toMatch(/\d[yzafpnµmkMGTPE]$/);
        }
      });
    }
  }, 120_000);

  test('nas: moving ξ and σ recomputes DARTS-2 and Δ-STN, and they still equal the library', async () => {
    await inPage(context, `${served.url}nas.html`, async (page) => {
        await settle(page, ['darts2FinalDelta', 'deltaStnFinalDelta'], 1);
        const names = ['deltaStar', 'darts1FinalDelta', 'darts2FinalDelta', 'iftFinalDelta', 'deltaStnFinalDelta'];
        const before = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await pageValue(page, n)] as const)));
        for (const [slider, value] of [
          ['xi', '2.5'],
          ['sigma', '0.5'],
        ]) {
          await page.$eval(
            `input[data-name="${slider}"]`,
            (el, v) => {
              (el as unknown as { value: string }).value = v;
              el.dispatchEvent(new Event('input', { bubbles: true }));
            },
            value,
          );
        }
        const moved = nasExperiment({ xi: 2.5, scale: 0.5 });
        await page.waitForFunction(
          ([a, b]) => document.querySelector('[data-check="darts2FinalDelta"]')?.getAttribute('data-value') !== a && document.querySelector('[data-check="deltaStnFinalDelta"]')?.getAttribute('data-value') !== b,
          [String(before.darts2FinalDelta), String(before.deltaStnFinalDelta)] as const,
          { timeout: 15_000 },
        );
        await page.waitForTimeout(300);
        for (const [check, method] of [
          ['darts2FinalDelta', 'darts2-finite-difference'],
          ['deltaStnFinalDelta', 'delta-stn'],
        ]) {
          const want = moved.runs.find((r) => r.method === method)!.finalDelta;
          const got = await pageValue(page, check);
          // Same tolerance and reason as `close` above.
          expect(Math.abs(got - want), `nas: ${check} = ${got} in the page, ${want} in Node`).toBeLessThanOrEqual(1e-12 * Math.abs(want));
        }
        // δ*, DARTS-1 and IFT depend on neither slider.
        for (const n of ['deltaStar', 'darts1FinalDelta', 'iftFinalDelta']) expect(await pageValue(page, n), `nas: ${n}`).toBe(before[n]);
    });
  });

  test('runs: reads a picked tune log, study trials and a compare summary.json', async () => {
    await inPage(context, `${served.url}runs.html`, async (page) => {
        await settle(page, ['epochRows'], 1);
        const summary: StudySummary = {
          format: 'deltastn.study-summary',
          version: 1,
          config: { model: 'mlp', dataset: 'mnist', methods: ['delta-stn', 'random'], seeds: [0, 1], budgetEpochs: 4, trialEpochs: 2, batchSize: 128, trainSize: 500, width: 0.25, warmupEpochs: 1, lrWeights: 0.01, lrHyper: 0.01, backend: 'auto' },
          plainEpochSeconds: 0.5,
          methods: (['delta-stn', 'random'] as const).map((method, k) => ({
            method,
            kind: k === 0 ? ('hypernetwork' as const) : ('search' as const),
            seeds: [],
            bestVal: { mean: 0.5 + k / 10, std: 0.01, values: [0.49 + k / 10, 0.51 + k / 10] },
            valAccuracy: { mean: 0.86, std: 0.01, values: [0.85, 0.87] },
            testLoss: { mean: 0.5, std: 0.01, values: [0.49, 0.51] },
            testAccuracy: { mean: 0.85 - k / 20, std: 0.01, values: [0.84 - k / 20, 0.86 - k / 20] },
            epochs: { mean: 4, std: 0, values: [4, 4] },
            wallSeconds: { mean: 10, std: 1, values: [9, 11] },
            trainSeconds: { mean: 8, std: 1, values: [7, 9] },
            plainEpochs: null,
            hyper: {},
            hyperSpread: {},
            complete: true,
          })),
          complete: true,
        };
        // Two trials of a study (one line each of trials.jsonl), with 2 and 3 epochs.
        const trial = (trialNo: number, epochs: number): TrialRecord => ({
          format: 'deltastn.trial',
          version: 1,
          method: 'random',
          seed: 0,
          trial: trialNo,
          runSeed: 7 + trialNo,
          nnMethod: 'fixed',
          plannedEpochs: epochs,
          hyper: { dropout1: 0.1 * (trialNo + 1) },
          bestVal: 0.5,
          epochs: Array.from({ length: epochs }, (_, e) => ({
            epoch: e,
            cumEpochs: 2 * trialNo + e + 1,
            seconds: 1,
            elapsed: e + 1,
            train: { loss: 1 / (e + 1), accuracy: 0.5 + e / 10 },
            val: { loss: 1.1 / (e + 1), accuracy: 0.45 + e / 10 },
            hyper: { dropout1: { value: 0.1 * (trialNo + 1), scale: 0 } },
            lambda: [0],
            rawScale: [0],
          })),
          wallSeconds: epochs,
          finishedAt: '2025-01-01T00:00:00.000Z',
          backend: 'wasm',
          thread: 0,
          space: { format: 'deltastn.hyperspace', version: 1, hyperparameters: [] },
        });
        const trials = [trial(0, 2), trial(1, 3)].map((t) => JSON.stringify(t)).join('\n') + '\n';
        await page.setInputFiles('input[data-name="files"]', [
          { name: 'log.jsonl', mimeType: 'application/jsonl', buffer: readFileSync(join(SAMPLE, 'tune-delta-stn/log.jsonl')) },
          { name: 'trials.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(trials) },
          { name: 'summary.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(summary)) },
          // A compare study's config.json (its StudyConfig) is read too, not rejected.
          { name: 'config.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(summary.config)) },
        ]);
        await page.waitForFunction(() => document.querySelector('[data-check="studyMethods"]') !== null, undefined, { timeout: 15_000 });
        expect(await pageValue(page, 'studyMethods')).toBe(2);
        expect(await page.locator('[data-check="studyBudgetEpochs"]').count(), 'the compare config.json is read and shown').toBe(1);
        expect(await pageValue(page, 'studyBudgetEpochs')).toBe(summary.config.budgetEpochs);
        expect(await page.textContent('main')).not.toContain('config.json: not a');
        expect(await pageValue(page, 'epochRows')).toBe(countLines(join(SAMPLE, 'tune-delta-stn/log.jsonl')) + 2 + 3);
        await page.screenshot({ path: join(SHOTS, 'runs-picked.png'), fullPage: true });
    });
  });

  test('runs: reads a picked search runs.jsonl without its config.json, and summarizes it as the library does', async () => {
    await inPage(context, `${served.url}runs.html`, async (page) => {
        await settle(page, ['epochRows', 'searchRecords', 'searchWeightLead'], 1);
        await page.setInputFiles('input[data-name="files"]', [{ name: 'runs.jsonl', mimeType: 'application/jsonl', buffer: readFileSync(join(SEARCH, 'runs.jsonl')) }]);
        // The picked file replaces the bundled sample: no tune epochs any more, and the study is named after the file.
        await page.waitForFunction(() => document.querySelector('[data-check="epochRows"]')?.getAttribute('data-value') === '0', undefined, { timeout: 15_000 });
        await page.waitForTimeout(300);
        const { config, records, summary } = searchAtDefaults();
        expect(await pageValue(page, 'searchConfigFromFile')).toBe(0);
        expect(await pageValue(page, 'searchRecords')).toBe(records.length);
        expect(await pageValue(page, 'searchMethods')).toBe(summary.length);
        // Without config.json the page infers the settings from the records; the summary must not change.
        for (const m of summary) {
          expect(await pageValue(page, `searchTest-${m.method}`), m.method).toBe(m.test.mean);
          expect(await page.textContent(`[data-check="searchTest-${m.method}"]`), m.method).toBe(`${formatAccuracy(m.test)} %`);
        }
        // The table.md cells, but wall seconds to two significant digits (the sample's runs take under a second,
        // which whole seconds print as 0).
        const { header, rows } = withWallSeconds(archSearchTableRows(config, summary), summary);
        const wall = header.indexOf('wall (s) / seed');
        expect(wall).toBeGreaterThan(0);
        for (const [i, m] of summary.entries()) {
          expect(m.seconds).toBeGreaterThan(0);
          expect(rows[i][wall]).toBe(formatWallSeconds(m.seconds));
          expect(Number(rows[i][wall]), m.method).toBeGreaterThan(0);
        }
        expect(await page.$$eval('[data-name="searchTable"] thead th', (els) => els.map((e) => e.textContent))).toEqual(header);
        expect(await page.locator('[data-name="searchTable"] tbody tr').count()).toBe(rows.length);
        expect(await page.$$eval('[data-name="searchTable"] tbody td', (els) => els.map((e) => e.textContent))).toEqual(rows.flat());
        expect(await page.textContent('main')).toContain('No config.json');
        // Another method and edge: the lead weight follows the selects.
        const before = await pageValue(page, 'searchWeightLead');
        await page.selectOption('select[data-name="searchMethod"]', 'darts1');
        await page.selectOption('select[data-name="searchEdge"]', 'e12');
        const want = searchWeightLead('darts1', 'e12');
        expect(want).not.toBe(before);
        await page.waitForFunction((v) => document.querySelector('[data-check="searchWeightLead"]')?.getAttribute('data-value') === v, String(want), { timeout: 15_000 });
        await page.screenshot({ path: join(SHOTS, 'runs-search-picked.png'), fullPage: true });
        // The lead is DARTS's pick, the strongest operation other than zero: in a copy of the records where zero
        // outweighs every operation on Δ-STN's last epoch of e01 (synthetic; in the sample it never leads), the
        // page (back on its defaults, Δ-STN and e01) must still report identity's weight.
        const zeroLeads = records.map((r) => {
          if (r.kind !== 'search' || r.method !== 'delta-stn') return r;
          const last = r.searchEpochs.length - 1;
          return { ...r, searchEpochs: r.searchEpochs.map((p, i) => (i === last ? { ...p, weights: { ...p.weights, e01: { ...p.weights.e01, zero: 0.9 } } } : p)) };
        });
        await page.setInputFiles('input[data-name="files"]', [{ name: 'runs.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(zeroLeads.map((r) => JSON.stringify(r)).join('\n') + '\n') }]);
        await page.waitForFunction((v) => document.querySelector('[data-check="searchWeightLead"]')?.getAttribute('data-value') === v, String(searchWeightLead('delta-stn', 'e01')), { timeout: 15_000 });
    });
  });

  test('runs: a section per study of issue 17 from its committed docs/evidence/<name>.json: its table rows, or "not run yet: <command>"', async () => {
    // Read here from the raw files, independently of the page's reader (notebooks/lib/evidence.ts).
    const studies = ['mnist-mlp', 'fashion-cnn', 'ablations', 'best-response'].map((name) => {
      const json = JSON.parse(readFileSync(join(ROOT, 'docs/evidence', `${name}.json`), 'utf8')) as { status?: string; command?: string; runs?: { status: string; table?: { rows: unknown[] } }[]; results?: { central: unknown[] }[] };
      const rows = json.results ? json.results.reduce((a, r) => a + r.central.length, 0) : (json.runs ?? []).filter((r) => r.status !== 'not run').reduce((a, r) => a + (r.table?.rows.length ?? 0), 0);
      // A best-response file from before the runner wrote a status has run when it has results.
      return { name, status: json.status ?? (rows > 0 ? 'partial' : 'not run'), command: json.command ?? `npm run study:${name}`, rows };
    });
    // Not vacuous: the MNIST study has rows (a first slice at least) and the command of a study not run is its npm script.
    expect(studies[0].rows).toBeGreaterThan(0);
    await inPage(context, `${served.url}runs.html`, async (page) => {
      await page.waitForFunction((n) => document.querySelector('.observablehq--error') !== null || document.querySelectorAll('section[data-evidence]').length === n, studies.length, { timeout: 30_000 });
      for (const s of studies) {
        const at = `section[data-evidence="${s.name}"]`;
        expect(await page.getAttribute(at, 'data-status'), s.name).toBe(s.status);
        if (s.status === 'not run') {
          expect(s.command).toBe(`npm run study:${s.name}`);
          expect((await page.textContent(`${at} [data-name="notRun"]`))?.trim(), s.name).toBe(`not run yet: ${s.command}`);
        } else {
          expect(await page.locator(`${at} [data-name="evidenceTable"] tbody tr`).count(), `${s.name}: table rows`).toBe(s.rows);
          expect(await page.locator(`${at} [data-name="notRun"]`).count()).toBe(0);
        }
      }
      // The MNIST schedules carry their σ bands, and the table ends with the reviewers' baseline when the file has it.
      expect(await page.locator('section[data-evidence="mnist-mlp"] g[aria-label="area"][aria-description="σ band"] path').count()).toBeGreaterThan(0);
      const mnist = JSON.parse(readFileSync(join(ROOT, 'docs/evidence/mnist-mlp.json'), 'utf8')) as { baseline: { perSeed: unknown[] } | null };
      if (mnist.baseline?.perSeed.length) expect(await page.locator('section[data-evidence="mnist-mlp"] [data-name="evidenceTable"] tbody tr').last().textContent()).toMatch(/^baseline \(lr chosen per seed on validation loss\)/);
      await page.screenshot({ path: join(SHOTS, 'runs-evidence.png'), fullPage: true });
    });
  });
});
