/**
 * Backends side by side: the per-step times of bench/nn-step.ts on each backend, and the PyTorch anchor
 * (shared/bench/torch_anchor.py, Debian's python3-torch) in the same sitting, as the README's benchmark table.
 *
 * Run: `npm run build && node dist/bench/backends.js [--backends tensorflow,wasm] [--rounds 3] [--reps 6]
 * [--models mlp,cnn] [--anchor ../shared/bench/torch_anchor.py]`.
 *
 * Hygiene (the README's Benchmarks section): this machine is shared and its speed drifts by ±30 % over minutes, so
 * the contenders take turns: each round runs one fresh process per backend and one anchor process, in an order
 * rotated every round, and every number printed is the median over rounds of that process's own median; a ratio
 * (÷ STN, ÷ PyTorch) is the median over rounds of the ratio within one round, so slow and fast minutes cancel.
 * The anchor runs with 2 threads (this machine's cores), OpenBLAS's OpenMP build and OMP_WAIT_POLICY=PASSIVE, as
 * its header prescribes; it has the MLP only (plain, STN, the hand-written tangent Δ-STN, the hyper step).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: 'tensorflow,wasm' },
    rounds: { type: 'string', default: '3' },
    reps: { type: 'string', default: '6' },
    models: { type: 'string', default: 'mlp,cnn' },
    anchor: { type: 'string', default: resolve(here, '../../../shared/bench/torch_anchor.py') },
  },
});
const backends = values.backends!.split(',');
const rounds = Number(values.rounds);
const models = values.models!.split(',');
const anchor = existsSync(values.anchor!) && existsSync('/usr/lib/python3/dist-packages/torch') ? values.anchor! : null;

const STEPS = ['fixed', 'stn', 'delta-stn', 'delta-stn-linearized', 'hyper'] as const;
const LABEL: Record<(typeof STEPS)[number], string> = {
  fixed: 'plain (fixed hyperparameters)',
  stn: 'STN',
  'delta-stn': 'Δ-STN',
  'delta-stn-linearized': 'Δ-STN linearized (tangent pass)',
  hyper: 'hyper (validation) step',
};
/** The anchor's variant for each of our steps (it has no non-linearized Δ-STN). */
const ANCHOR: Partial<Record<(typeof STEPS)[number], string>> = { fixed: 'plain', stn: 'stn', 'delta-stn-linearized': 'dstn_lin_tangent', hyper: 'hyper' };

type Medians = Record<string, Record<string, number>>;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
};

function runOurs(backend: string): { device: string; medians: Medians } {
  const out = execFileSync(process.execPath, [join(here, 'nn-step.js'), '--backend', backend, '--reps', values.reps!, '--models', models.join(','), '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out.trim().split('\n').pop()!) as { device: string; medians: Medians };
}

function runAnchor(round: number): Record<string, number> {
  const out = execFileSync('/usr/bin/python3', [anchor!, 'worker', '--threads', '2', '--rep', String(round), '--steps', '40', '--warmup', '5', '--variants', 'plain,stn,dstn_lin_tangent,hyper'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, LD_LIBRARY_PATH: '/usr/lib/x86_64-linux-gnu/openblas-openmp', OMP_WAIT_POLICY: 'PASSIVE' },
  });
  const r = JSON.parse(out.trim().split('\n').pop()!) as { variants: Record<string, { median_ms: number }> };
  return Object.fromEntries(Object.entries(r.variants).map(([k, v]) => [k, v.median_ms]));
}

const contenders = [...backends, ...(anchor ? ['pytorch'] : [])];
const ours: Record<string, Medians[]> = Object.fromEntries(backends.map((b) => [b, []]));
const devices: Record<string, string> = {};
const torch: Record<string, number>[] = [];
const load0 = loadavg()[0];
const t0 = Date.now();
for (let r = 0; r < rounds; r++) {
  const order = contenders.map((_, i) => contenders[(i + r) % contenders.length]);
  for (const c of order) {
    if (c === 'pytorch') torch.push(runAnchor(r));
    else {
      const res = runOurs(c);
      ours[c].push(res.medians);
      devices[c] = res.device;
    }
  }
  process.stderr.write(`round ${r + 1}/${rounds} done (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
}
const load1 = loadavg()[0];

const fmt = (x: number | undefined, d = 1): string => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));
/** Median over rounds of f(round). */
const over = (n: number, f: (r: number) => number): number => median(Array.from({ length: n }, (_, r) => f(r)));

console.log(`# backends side by side\n`);
console.log(`${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores; Node ${process.version}; load average ${load0.toFixed(2)} before, ${load1.toFixed(2)} after; ${rounds} rounds × (${contenders.join(', ')}), rotated; ${values.reps} repetitions per process after warm-up.`);
for (const b of backends) console.log(`- ${b}: ${devices[b]}`);
if (anchor) console.log('- pytorch: torch_anchor.py (Debian python3-torch, OpenBLAS OpenMP), 2 threads, MLP only');
else console.log('- pytorch: anchor not run (no torch_anchor.py or no python3-torch here)');
for (const m of models) {
  console.log(`\n## ${m === 'mlp' ? 'MLP 784-1200-1200-10' : 'SimpleCNN'}, batch 128: median ms per step (÷ STN of the same backend)\n`);
  const withTorch = anchor && m === 'mlp';
  console.log(`| step | ${backends.join(' | ')}${withTorch ? ' | PyTorch (2 threads)' : ''} |`);
  console.log(`|---|${backends.map(() => '---:').join('|')}${withTorch ? '|---:' : ''}|`);
  for (const s of STEPS) {
    const cells = backends.map((b) => `${fmt(over(rounds, (r) => ours[b][r][m][s]))} (${fmt(over(rounds, (r) => ours[b][r][m][s] / ours[b][r][m].stn), 2)})`);
    const a = ANCHOR[s];
    if (withTorch) cells.push(a ? `${fmt(over(rounds, (r) => torch[r][a]))} (${fmt(over(rounds, (r) => torch[r][a] / torch[r].stn), 2)})` : '—');
    console.log(`| ${LABEL[s]} | ${cells.join(' | ')} |`);
  }
  if (withTorch) {
    console.log(`\n÷ PyTorch, same round: ${backends.map((b) => `${b} plain ${fmt(over(rounds, (r) => ours[b][r][m].fixed / torch[r].plain), 2)}×, STN ${fmt(over(rounds, (r) => ours[b][r][m].stn / torch[r].stn), 2)}×, Δ-STN linearized ${fmt(over(rounds, (r) => ours[b][r][m]['delta-stn-linearized'] / torch[r].dstn_lin_tangent), 2)}×`).join('; ')}`);
  }
}
