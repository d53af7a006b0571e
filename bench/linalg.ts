/**
 * Linear-algebra benchmark (not a test): build with `npx tsc -p tsconfig.build.json`, run with
 * `node dist/bench/linalg.js [--quick]`. Prints markdown tables.
 *
 * 1. Symmetric eigenvalues: our cyclic Jacobi (src/linalg/dense.ts) against ml-matrix's
 *    EigenvalueDecomposition (tridiagonal QL), time per call and the relative error of λ_min against the
 *    EXACT λ_min, on graded matrices A = Q D Qᵀ (Q the Cayley transform of a graded skew S, so A_ij ~ w_i w_j)
 *    with κ = 1e8 and 1e12, and, for contrast, on non-graded ones (Q dense): there no float64 method can beat
 *    ε·κ, because rounding A alone moves λ_min by ~ε‖A‖.
 * 2. Certified κ (src/linalg/inertia.ts) for n = 4, 8, 12 at κ = 1e12, plus one exact inertia count.
 *
 * Hygiene (the README's Benchmarks section): the two solvers run interleaved (A B A B …, order alternating),
 * after a warm-up, and every time is a median over repetitions measured in this one run.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { symmetricEigenvalues } from '../src/linalg/dense.js';
import { cayleyTransformQ, math, multiplyQ, toNumber, toNumberMatrix, transposeQ, type Rational, type RationalMatrix } from '../src/linalg/exact.js';
import { certifiedConditionNumber, inertia, type CertifyStats } from '../src/linalg/inertia.js';
import { Rng } from '../src/rng.js';

const quick = process.argv.includes('--quick');

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

function fmtTime(ms: number): string {
  if (ms < 0.01) return `${(ms * 1000).toFixed(2)} µs`;
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
}

function fmtErr(x: number): string {
  return x === 0 ? '0' : x.toExponential(1);
}

/** Random rational skew-symmetric S with S_ij = (p/q)·scale(i, j) for i < j. */
function skew(n: number, rng: Rng, scale: (i: number, j: number) => Rational): RationalMatrix {
  const s: RationalMatrix = Array.from({ length: n }, () => new Array<Rational>(n).fill(math.fraction(0)));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      s[i][j] = math.fraction(rng.int(-3, 3), rng.int(1, 4)).mul(scale(i, j));
      s[j][i] = s[i][j].neg();
    }
  }
  return s;
}

function qdqt(q: RationalMatrix, d: readonly Rational[]): RationalMatrix {
  return multiplyQ(
    q.map((row) => row.map((x, j) => x.mul(d[j]))),
    transposeQ(q),
  );
}

interface Spectral {
  a: RationalMatrix;
  lambdaMin: Rational;
}

/** Graded: w_i = 10^(−e_i), e from 0 to log10(κ)/2; d_i = c_i w_i² (c_0 = c_{n−1} = 1, so κ is exact). */
function graded(n: number, kappa: number, rng: Rng): Spectral {
  const eMax = Math.round(Math.log10(kappa) / 2);
  const e = Array.from({ length: n }, (_, i) => (i === 0 ? 0 : i === n - 1 ? eMax : rng.int(0, eMax))).sort((x, y) => x - y);
  const w = e.map((k) => math.fraction(1n, 10n ** BigInt(k)));
  const d = w.map((x, i) => x.mul(x).mul(i === 0 || i === n - 1 ? math.fraction(1) : math.fraction(rng.int(4, 16), 4)));
  const a = qdqt(cayleyTransformQ(skew(n, rng, (i, j) => w[j].div(w[i]))), d);
  return { a, lambdaMin: d.reduce((m, x) => (x.compare(m) < 0 ? x : m)) };
}

/** Non-graded: Q dense, D = diag(1 … 1/κ) log-spaced (exact powers of ten). */
function rotated(n: number, kappa: number, rng: Rng): Spectral {
  const e = Math.log10(kappa);
  const d = Array.from({ length: n }, (_, i) => math.fraction(1n, 10n ** BigInt(Math.round((e * i) / (n - 1)))));
  return { a: qdqt(cayleyTransformQ(skew(n, rng, () => math.fraction(1))), d), lambdaMin: d[n - 1] };
}

function mlMatrixMin(a: Matrix): number {
  return Math.min(...new EigenvalueDecomposition(a, { assumeSymmetric: true }).realEigenvalues);
}

function jacobiMin(a: number[][]): number {
  return symmetricEigenvalues(a)[0];
}

function eigenRow(label: string, kappa: number, n: number, build: (n: number, kappa: number, rng: Rng) => Spectral, rng: Rng): string {
  const count = quick ? 4 : 10;
  const cases = Array.from({ length: count }, () => build(n, kappa, rng));
  const floats = cases.map((c) => toNumberMatrix(c.a));
  const mats = floats.map((f) => new Matrix(f));
  const exact = cases.map((c) => toNumber(c.lambdaMin));
  const errJ = floats.map((f, i) => Math.abs(jacobiMin(f) - exact[i]) / exact[i]);
  const errM = mats.map((m, i) => Math.abs(mlMatrixMin(m) - exact[i]) / exact[i]);
  // Time: interleaved repetitions, each timing `inner` calls over all cases.
  const reps = quick ? 7 : 21;
  const inner = Math.max(1, Math.round(400 / (n * n)));
  const tJ: number[] = [];
  const tM: number[] = [];
  let sink = 0;
  const timeJ = (): void => {
    const t0 = performance.now();
    for (let k = 0; k < inner; k++) for (const f of floats) sink += jacobiMin(f);
    tJ.push((performance.now() - t0) / (inner * floats.length));
  };
  const timeM = (): void => {
    const t0 = performance.now();
    for (let k = 0; k < inner; k++) for (const m of mats) sink += mlMatrixMin(m);
    tM.push((performance.now() - t0) / (inner * mats.length));
  };
  timeJ(); // warm-up, discarded
  timeM();
  tJ.length = 0;
  tM.length = 0;
  for (let r = 0; r < reps; r++) {
    if (r % 2 === 0) {
      timeJ();
      timeM();
    } else {
      timeM();
      timeJ();
    }
  }
  if (!Number.isFinite(sink)) console.error('unexpected non-finite eigenvalue');
  const medJ = median(tJ);
  const medM = median(tM);
  return `| ${label} | ${n} | ${kappa.toExponential(0)} | ${fmtTime(medJ)} | ${fmtTime(medM)} | ${(medJ / medM).toFixed(2)} | ${fmtErr(median(errJ))} / ${fmtErr(Math.max(...errJ))} | ${fmtErr(median(errM))} / ${fmtErr(Math.max(...errM))} |`;
}

function certRow(n: number, rng: Rng): string {
  const count = quick ? 3 : 7;
  const cases = Array.from({ length: count }, () => rotated(n, 1e12, rng));
  certifiedConditionNumber(cases[0].a); // warm-up
  inertia(cases[0].a);
  const tC: number[] = [];
  const tI: number[] = [];
  let maxRelWidth = 0;
  let allContain = true;
  const stats: CertifyStats = { probes: 0, bisections: 0, solves: 0 };
  for (const c of cases) {
    let t0 = performance.now();
    const cert = certifiedConditionNumber(c.a, { stats });
    tC.push(performance.now() - t0);
    t0 = performance.now();
    inertia(c.a);
    tI.push(performance.now() - t0);
    const trueKappa = math.fraction(10n ** 12n);
    allContain &&= cert.kappa.lo.compare(trueKappa) <= 0 && trueKappa.compare(cert.kappa.hi) <= 0;
    maxRelWidth = Math.max(maxRelWidth, toNumber(cert.kappa.hi.sub(cert.kappa.lo).div(cert.kappa.lo)));
  }
  const digits = Math.max(...cases.flatMap((c) => c.a.flat().map((x) => x.d.toString().length)));
  const per = (x: number): string => (x / cases.length).toFixed(1);
  return `| ${n} | ${digits} | ${fmtTime(median(tC))} | ${fmtTime(Math.max(...tC))} | ${fmtTime(median(tI))} | ${per(stats.probes)} / ${per(stats.solves)} / ${per(stats.bisections)} | ${fmtErr(maxRelWidth)} | ${allContain ? 'yes' : 'NO'} |`;
}

const rng = new Rng(20240607);
console.log(`# deltastn linalg benchmark${quick ? ' (--quick)' : ''}`);
console.log(`node ${process.version}, ${new Date().toISOString()}\n`);
console.log('## Symmetric eigenvalues: Jacobi (ours) vs ml-matrix EigenvalueDecomposition\n');
console.log('Time per call (median of interleaved repetitions); relative error of λ_min against the exact λ_min (median / max over the cases).\n');
console.log('| matrices | n | κ | Jacobi | ml-matrix | time ratio J/ml | Jacobi rel. err λ_min | ml-matrix rel. err λ_min |');
console.log('|---|---|---|---|---|---|---|---|');
for (const kappa of [1e8, 1e12]) for (const n of [4, 8]) console.log(eigenRow('graded', kappa, n, graded, rng));
for (const kappa of [1e8, 1e12]) console.log(eigenRow('dense Q (not graded)', kappa, 8, rotated, rng));
console.log('\n## Certified κ (exact inertia + verified guesses), A = Q D Qᵀ non-graded, κ = 1e12\n');
console.log('| n | max digits of a denominator | certifiedConditionNumber (median) | (max) | one inertia count (median) | exact counts / solves / bisections per κ | max rel. width of κ interval | true κ inside |');
console.log('|---|---|---|---|---|---|---|---|');
for (const n of [4, 8, 12]) console.log(certRow(n, rng));
