#!/usr/bin/env node
// Regenerates the numbers in README.md that the code produces deterministically, between marker comments:
//
//   <!-- numbers:NAME -->
//   … generated text (never edit it by hand: the next run overwrites it) …
//   <!-- /numbers -->
//
// Blocks (BLOCKS below): `verify` (the `deltastn verify` sample: the table with each claim's worst error, 100
// seeded cases, seed 0; the run time is left out, it is not deterministic), `toy-ridge`, `toy-jacobian`,
// `toy-conditioning`, `toy-nas` (the toy tables, computed by src/experiments), and the benchmark blocks
// `bench-linalg`, `bench-nas-step` (timings, which differ run to run: only with --bench).
//
//   npm run readme:numbers                    build, then rewrite every non-bench block of README.md
//   node bin/readme-numbers.js --check        exit 1 naming each stale block (README.md left as it is)
//   node bin/readme-numbers.js --bench        also rerun the benchmarks and rewrite their blocks
//   node bin/readme-numbers.js --only NAME    only that block (repeatable); --readme FILE another file
//
// It runs the compiled library (dist/, `npm run build`), like bin/deltastn.js. Exit 0: written, or up to date
// with --check; 1: stale with --check, or a generator failed; 2: a bad option or malformed markers.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { URL, fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const USAGE = 'usage: node bin/readme-numbers.js [--check] [--bench] [--only NAME]... [--readme FILE]';

// ---- formatting (one place, so that a table regenerates byte for byte) ----

/** x in e-notation with `digits` decimals, "1.4e-4" (JavaScript's "e+0" written "e+0"); exactly 0 is "0". */
export function exp(x, digits) {
  return x === 0 ? '0' : x.toExponential(digits);
}

/** x with `digits` decimals, a negative sign written as the minus sign "−" (as the README's prose does). */
export function fixed(x, digits) {
  return x.toFixed(digits).replace(/^-/, '−');
}

/** An integer with its thousands separated by spaces: 200000 → "200 000". */
export function grouped(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** A condition number: 4 significant digits below 1e4 (thousands grouped), else "1.18e5". */
export function kappa(x) {
  if (x < 1e4) {
    const [int, frac] = x.toPrecision(4).split('.');
    return frac === undefined ? grouped(int) : `${grouped(int)}.${frac}`;
  }
  return x.toExponential(2).replace('e+', 'e');
}

/** A Markdown table: header cells, then rows of cells; `|` inside a cell is escaped. */
export function markdownTable(header, rows) {
  const line = (cells) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

// ---- the blocks ----

/** How the README names the NAS toy's methods. */
const NAS_LABELS = { darts1: 'DARTS 1st order', 'darts2-finite-difference': 'DARTS 2nd order (finite-difference HVP)', 'ift-dense': 'IFT', 'delta-stn': 'Δ-STN' };

/** `deltastn verify` with its defaults (100 cases, seed 0), the time cut from the last line. */
function verifyBlock(lib) {
  const out = [];
  const err = [];
  const code = lib.verifyCommand({ claims: [], runs: 100, seed: 0, json: false, progress: false }, (s) => out.push(s), (s) => err.push(s));
  if (code !== 0) throw new Error(`deltastn verify exited ${code}: ${err.join('; ')}`);
  const text = out.join('\n').replace(/, [\d.]+ s\)$/, ')');
  return ['```', '$ deltastn verify            # [--claim ID]... [--runs N] [--seed S] [--json] [--wide] [--log FILE]', text, '```'].join('\n');
}

/** The ridge toy (σ = 0.05, 600 online cycles): methods whose printed numbers agree share a row. */
function ridgeBlock(lib) {
  const r = lib.ridgeExperiment({});
  const rows = [];
  for (const m of r.methods) {
    const online = r.online.find((o) => o.method === m.method);
    const cells = [fixed(m.finalLambda, 10), exp(m.distanceToLambdaStar, 1), online ? fixed(online.finalLambda, 10) : '-', online ? exp(online.distanceToLambdaStar, 1) : '-'];
    const last = rows[rows.length - 1];
    if (last && last.slice(1).join('\n') === cells.join('\n')) last[0] += `, ${m.method}`;
    else rows.push([m.method, ...cells]);
  }
  const table = markdownTable(['method', 'fixed point λ̂', '|λ̂ − λ*|', 'online final λ', '|online − λ*|'], rows);
  return `${table}\n\nλ* = ${fixed(r.lambdaStar, 10)}, L_V(λ*) = ${fixed(r.valLossStar, 10)} (σ = ${r.scale}).`;
}

/** The Jacobian toy at the grid's σ nearest 0.5: ‖Θ − J*‖ per problem and method (and ‖Θ − J*_GN‖ where J*_GN ≠ J*). */
function jacobianBlock(lib) {
  const r = lib.jacobianExperiment({});
  const scale = r.scales.reduce((best, s) => (Math.abs(s - 0.5) < Math.abs(best - 0.5) ? s : best), r.scales[0]);
  const methods = [...new Set(r.problems.flatMap((p) => p.rows.map((row) => row.method)))];
  const differs = (p) => p.bestResponseJacobian.flat().some((x, i) => Math.abs(x - p.gaussNewtonJacobian.flat()[i]) > 1e-10 * Math.max(1, Math.abs(x)));
  const cell = (p, method) => {
    const row = p.rows.find((x) => x.scale === scale && x.method === method);
    return differs(p) ? `${exp(row.errorToExact, 2)} / ${exp(row.errorToGaussNewton, 2)}` : exp(row.errorToExact, 2);
  };
  // Columns whose printed numbers agree on every problem are one column, "a = b".
  const columns = [];
  for (const m of methods) {
    const col = columns.find((c) => r.problems.every((p) => cell(p, c[0]) === cell(p, m)));
    if (col) col.push(m);
    else columns.push([m]);
  }
  const rows = r.problems.map((p) => [`${p.name}: ‖Θ − J*‖${differs(p) ? ' / ‖Θ − J*_GN‖' : ''}`, ...columns.map((c) => cell(p, c[0]))]);
  return `Measured at σ = ${Number(scale.toPrecision(4))} (the point of the ${r.scales.length}-point grid nearest 0.5), ${r.nodes}-node Gauss–Hermite:\n\n${markdownTable(['problem', ...columns.map((c) => c.join(' = '))], rows)}`;
}

/** The conditioning toy: κ and gradient-descent iterations (with the contraction bound) per r = |λ0|/σ. */
function conditioningBlock(lib) {
  const r = lib.conditioningExperiment({});
  const iters = (run) => (run.converged ? grouped(run.iterations) : `${grouped(run.iterations)}: cap reached`);
  const rows = r.rows.map((row) => [String(row.ratio), kappa(row.uncentered.conditionNumber), kappa(row.centered.conditionNumber), `${iters(row.uncentered)} (${grouped(row.uncentered.predictedBound)})`, `${iters(row.centered)} (${grouped(row.centered.predictedBound)})`]);
  return markdownTable(['r', 'κ uncentered', 'κ centered', 'GD iterations uncentered (bound)', 'centered (bound)'], rows);
}

/** The exact NAS toy: each method's fixed point against the exact bilevel solution. */
function nasBlock(lib) {
  const r = lib.nasExperiment({});
  const rows = [
    ['exact bilevel solution', fixed(r.exact.delta, 10), '–', fixed(r.exact.valLoss, 10), '–'],
    ...r.runs.map((run) => [NAS_LABELS[run.method] ?? run.method, fixed(run.finalDelta, 10), exp(run.distanceToExact, 1), fixed(run.finalValLoss, 10), `${run.iterations}${run.converged ? '' : ' (cap)'}`]),
  ];
  return markdownTable(['method', 'final δ = α₀ − α₁', '|δ − δ*|', 'L_V(α, w*(α))', 'steps'], rows);
}

/** Runs a compiled benchmark and returns its Markdown tables (and the line that says where and when). */
function benchBlock(script, args = []) {
  return () => {
    const load0 = loadavg()[0];
    const run = spawnSync(process.execPath, [join(ROOT, 'dist/bench', script), ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 });
    if (run.status !== 0) throw new Error(`node dist/bench/${script} exited ${run.status}: ${(run.stderr ?? '').slice(-500)}`);
    const load1 = loadavg()[0];
    const lines = run.stdout.split('\n');
    const where = lines.find((l) => /node v\d/.test(l)) ?? '';
    const body = lines.filter((l) => l.startsWith('|') || l.startsWith('## ')).map((l) => (l.startsWith('## ') ? `\n**${l.slice(3)}**\n` : l));
    const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), load average ${load0.toFixed(1)} before and ${load1.toFixed(1)} after`;
    return [`Measured by \`node dist/bench/${script}${args.length ? ' ' + args.join(' ') : ''}\` (${where.trim()}; ${machine}):`, ...body].join('\n').replace(/\n{3,}/g, '\n\n');
  };
}

/** Every block: `bench` blocks are timings (regenerated only with --bench); the others are deterministic. */
export const BLOCKS = {
  verify: { bench: false, generate: verifyBlock },
  'toy-ridge': { bench: false, generate: ridgeBlock },
  'toy-jacobian': { bench: false, generate: jacobianBlock },
  'toy-conditioning': { bench: false, generate: conditioningBlock },
  'toy-nas': { bench: false, generate: nasBlock },
  'bench-linalg': { bench: true, generate: benchBlock('linalg.js') },
  'bench-nas-step': { bench: true, generate: benchBlock('nas-step.js') },
};

// ---- markers ----

const OPEN = /^<!-- numbers:([A-Za-z0-9-]+) -->$/;
const CLOSE = '<!-- /numbers -->';

/** A marker problem (exit 2). */
export class MarkerError extends Error {}

/**
 * The marked blocks of `text`: name, the line of the open marker, the content between the marker lines (without
 * the newline before the close marker), and where the lines between the markers start and end. Markers stand
 * alone on their lines.
 * @throws MarkerError for a block never closed, a close without an open, a block opened inside another, a name
 *   used twice or a name not in BLOCKS (each message names the line).
 */
export function findBlocks(text) {
  const lines = text.split('\n');
  const blocks = [];
  let open = null;
  let offset = 0;
  lines.forEach((line, i) => {
    const m = OPEN.exec(line);
    if (m) {
      if (open) throw new MarkerError(`line ${i + 1}: block "${m[1]}" opened inside block "${open.name}" (line ${open.line})`);
      if (!Object.hasOwn(BLOCKS, m[1])) throw new MarkerError(`line ${i + 1}: unknown block "${m[1]}" (known: ${Object.keys(BLOCKS).join(', ')})`);
      if (blocks.some((b) => b.name === m[1])) throw new MarkerError(`line ${i + 1}: block "${m[1]}" appears twice`);
      open = { name: m[1], line: i + 1, start: offset + line.length + 1 };
    } else if (line === CLOSE) {
      if (!open) throw new MarkerError(`line ${i + 1}: ${CLOSE} without an open block`);
      // The content runs from the line after the open marker to the close marker's line (its newline excluded).
      blocks.push({ name: open.name, line: open.line, start: open.start, end: offset, content: text.slice(open.start, offset).replace(/\n$/, '') });
      open = null;
    }
    offset += line.length + 1;
  });
  if (open) throw new MarkerError(`line ${open.line}: block "${open.name}" is never closed (${CLOSE})`);
  return blocks;
}

/** `text` with each block named in `contents` (a Map name → text) replaced. */
export function replaceBlocks(text, contents) {
  let result = '';
  let at = 0;
  for (const b of findBlocks(text)) {
    if (!contents.has(b.name)) continue;
    result += text.slice(at, b.start) + contents.get(b.name) + '\n';
    at = b.end;
  }
  return result + text.slice(at);
}

// ---- the command ----

/** The library functions the blocks call, from the compiled package (dist/). */
export async function loadLibrary(root = ROOT) {
  const load = (path) => import(pathToFileURL(join(root, 'dist/src', path)).href);
  return {
    verifyCommand: (await load('cli/verify.js')).verifyCommand,
    ridgeExperiment: (await load('experiments/ridge.js')).ridgeExperiment,
    jacobianExperiment: (await load('experiments/jacobian.js')).jacobianExperiment,
    conditioningExperiment: (await load('experiments/conditioning.js')).conditioningExperiment,
    nasExperiment: (await load('experiments/nas.js')).nasExperiment,
  };
}

/**
 * The command: parses `argv`, regenerates the selected blocks of the README (or checks them), returns the exit
 * code. `io.lib` replaces the compiled library (the tests pass the sources); `io.out`/`io.err` receive lines.
 */
export async function main(argv, io = {}) {
  const out = io.out ?? ((s) => console.log(s));
  const err = io.err ?? ((s) => console.error(s));
  let check = false;
  let bench = false;
  let readme = join(ROOT, 'README.md');
  const only = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') check = true;
    else if (a === '--bench') bench = true;
    else if (a === '--help' || a === '-h') {
      out(USAGE);
      return 0;
    } else if ((a === '--only' || a === '--readme') && i + 1 < argv.length) {
      const v = argv[++i];
      if (a === '--readme') readme = v;
      else if (!Object.hasOwn(BLOCKS, v)) {
        err(`--only: unknown block "${v}" (known: ${Object.keys(BLOCKS).join(', ')})\n${USAGE}`);
        return 2;
      } else only.push(v);
    } else {
      err(`${a === '--only' || a === '--readme' ? `${a} needs a value` : `unknown option ${a}`}\n${USAGE}`);
      return 2;
    }
  }
  let text;
  let blocks;
  try {
    text = readFileSync(readme, 'utf8');
    blocks = findBlocks(text);
  } catch (e) {
    err(`${readme}: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  const missing = only.filter((n) => !blocks.some((b) => b.name === n));
  if (missing.length > 0) {
    err(`${readme}: no block ${missing.map((n) => `"${n}"`).join(', ')} (markers <!-- numbers:NAME --> … ${CLOSE})`);
    return 2;
  }
  const selected = blocks.filter((b) => (only.length === 0 || only.includes(b.name)) && (bench || !BLOCKS[b.name].bench));
  for (const b of blocks) if (!selected.includes(b) && BLOCKS[b.name].bench && !bench) out(`${b.name}: skipped (a benchmark: only with --bench)`);
  const lib = selected.some((b) => !BLOCKS[b.name].bench) ? (io.lib ?? (await loadLibrary())) : null;
  const contents = new Map();
  const stale = [];
  for (const b of selected) {
    const t0 = performance.now();
    let generated;
    try {
      generated = BLOCKS[b.name].generate(lib);
    } catch (e) {
      err(`${b.name}: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    contents.set(b.name, generated);
    if (generated === b.content) {
      out(`${b.name}: up to date (${seconds} s)`);
      continue;
    }
    stale.push(b.name);
    const was = b.content.split('\n');
    const now = generated.split('\n');
    const k = now.findIndex((l, j) => l !== was[j]);
    const first = k === -1 ? was.length : k;
    out(`${b.name}: ${check ? 'stale' : 'updated'} (${seconds} s); first difference, line ${b.line + 1 + first}:\n  README: ${was[first] ?? '(nothing)'}\n  now:    ${now[first] ?? '(nothing)'}`);
  }
  if (check) {
    if (stale.length > 0) err(`${readme}: ${stale.length} stale block(s): ${stale.join(', ')}; run \`npm run readme:numbers\``);
    return stale.length > 0 ? 1 : 0;
  }
  if (stale.length > 0) writeFileSync(readme, replaceBlocks(text, contents));
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
