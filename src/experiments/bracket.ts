/**
 * The bracket of a one-dimensional minimum, found without derivatives, for the experiments' independent
 * references (λ* of the ridge toy, δ* of the NAS toy): f on a grid of `gridPoints` over [lo, hi], then
 * golden-section search on the best grid point's two neighbours until the bracket is narrower than `tol` or
 * `maxIterations` steps are done. Golden section only locates a minimum to ~√ε in the argument (f is flat there);
 * the callers then bisect on the sign of an exact derivative inside the bracket.
 *
 * @returns the bracket a < b (containing the minimiser for f unimodal around the best grid point) and whether
 * that grid point is an end of [lo, hi] (the minimum may then lie outside the interval).
 */
export function goldenBracket(f: (x: number) => number, lo: number, hi: number, gridPoints: number, tol: number, maxIterations: number): { a: number; b: number; atEdge: boolean } {
  const grid = Array.from({ length: gridPoints }, (_, i) => lo + ((hi - lo) * i) / (gridPoints - 1));
  const values = grid.map(f);
  let best = 0;
  values.forEach((v, i) => {
    if (v < values[best]) best = i;
  });
  let a = grid[Math.max(0, best - 1)];
  let b = grid[Math.min(gridPoints - 1, best + 1)];
  const phi = (Math.sqrt(5) - 1) / 2;
  let c = b - phi * (b - a);
  let d = a + phi * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < maxIterations && b - a > tol; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - phi * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + phi * (b - a);
      fd = f(d);
    }
  }
  return { a, b, atEdge: best === 0 || best === gridPoints - 1 };
}
