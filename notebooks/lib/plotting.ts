/**
 * What the notebooks' charts share, as pure functions (no DOM; the browser test imports them in Node to compute
 * what a page must show): log-axis ticks in plain scientific notation, and curves that would draw as one line.
 */

/** Unicode superscripts of an integer exponent: −12 → "⁻¹²". */
function superscript(e: number): string {
  const digits = '⁰¹²³⁴⁵⁶⁷⁸⁹';
  return (e < 0 ? '⁻' : '') + String(Math.abs(e)).replace(/\d/g, (d) => digits[Number(d)]);
}

/** `m·10^e` as m and e, m an integer 1–9 when `v` is one of the ticks {@link logTicks} makes. */
function mantissaExponent(v: number): [number, number] {
  let e = Math.floor(Math.log10(v));
  // log10 of an exact power of ten can round just below the integer.
  if (Number(`1e${e + 1}`) <= v) e++;
  return [Math.round(v / 10 ** e), e];
}

/**
 * A tick label of a log axis: plain decimals when every tick of the axis lies in [10⁻³, 10⁴] ("0.01", "100"),
 * else scientific notation for all of them ("10⁻⁶", "2×10⁻³") — never SI prefixes ("1µ", "10m").
 */
export function logTickFormat(ticks: readonly number[]): (v: number) => string {
  const plain = ticks.every((t) => t >= 1e-3 && t <= 1e4);
  return (v: number) => {
    if (plain) return String(Number(v.toPrecision(6)));
    const [m, e] = mantissaExponent(v);
    return `${m === 1 ? '' : `${m}×`}10${superscript(e)}`;
  };
}

/**
 * Ticks for a log axis over [lo, hi] (0 < lo ≤ hi): the powers of ten inside, every k-th decade when there are
 * more than `maxTicks`; with fewer than three powers inside, also 2·10ᵉ and 5·10ᵉ.
 */
export function logTicks(lo: number, hi: number, maxTicks = 8): number[] {
  // A tick at the domain's end counts as inside when it is that end up to the rounding of lo and hi (1e-12).
  const inside = (v: number): boolean => v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12);
  const e0 = Math.floor(Math.log10(lo)) - 1;
  const e1 = Math.ceil(Math.log10(hi)) + 1;
  const powers: number[] = [];
  for (let e = e0; e <= e1; e++) if (inside(Number(`1e${e}`))) powers.push(e);
  if (powers.length >= 3) {
    const k = Math.ceil(powers.length / maxTicks);
    return powers.filter((e) => e % k === 0).map((e) => Number(`1e${e}`));
  }
  const out: number[] = [];
  for (let e = e0; e <= e1; e++) for (const m of [1, 2, 5]) out.push(Number(`${m}e${e}`));
  return out.filter(inside);
}

/** Plot scale options of a log axis. */
export interface LogAxis {
  type: 'log';
  label: string;
  grid: boolean;
  domain: [number, number];
  ticks: number[];
  tickFormat: (v: number) => string;
}

/**
 * A log axis over the positive finite `values`: their extent as the domain — widened to whole decades when
 * `nice` (the default; a curve at the smallest value is then not drawn on the frame) —, at most `maxTicks`
 * ticks (no minor tick comb) and {@link logTickFormat} labels.
 */
export function logAxis(values: Iterable<number>, label: string, options: { grid?: boolean; maxTicks?: number; nice?: boolean } = {}): LogAxis {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!(v > 0) || !Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!(lo <= hi)) [lo, hi] = [1, 10];
  if (lo === hi) [lo, hi] = [lo / 2, hi * 2];
  if (options.nice ?? true) {
    // The largest power of ten ≤ lo and the smallest ≥ hi (log10 alone can land a hair on the wrong side).
    let a = Math.floor(Math.log10(lo));
    while (Number(`1e${a}`) > lo) a--;
    while (Number(`1e${a + 1}`) <= lo) a++;
    let b = Math.ceil(Math.log10(hi));
    while (Number(`1e${b}`) < hi) b++;
    while (Number(`1e${b - 1}`) >= hi) b--;
    [lo, hi] = [Number(`1e${a}`), Number(`1e${b}`)];
  }
  const ticks = logTicks(lo, hi, options.maxTicks);
  return { type: 'log', label, grid: options.grid ?? false, domain: [lo, hi], ticks, tickFormat: logTickFormat(ticks) };
}

/** One curve of a chart: its name and its points in drawing order. */
export interface Curve {
  name: string;
  points: readonly { x: number; y: number }[];
}

/**
 * Curves that draw as one line: the same x values, and y values within `pixels` of each other everywhere on a
 * chart whose plotting area is `height` pixels tall (measured in the drawn coordinate: log₁₀ y on a log axis,
 * y on a linear one, against the extent of all curves). Each group lists names in the order given; a curve
 * that meets no other is a group of one. This is a drawing criterion (is the difference visible?), not a
 * numerical tolerance: the tables beside the charts give the numbers.
 */
export function coincidentGroups(curves: readonly Curve[], options: { log: boolean; height: number; pixels?: number }): string[][] {
  const drawn = (y: number): number => (options.log ? Math.log10(y) : y);
  const all = curves.flatMap((c) => c.points.map((p) => drawn(p.y))).filter(Number.isFinite);
  const extent = all.length === 0 ? 0 : Math.max(...all) - Math.min(...all);
  const tol = (extent * (options.pixels ?? 0.5)) / options.height;
  const same = (a: Curve, b: Curve): boolean =>
    a.points.length === b.points.length && a.points.every((p, i) => p.x === b.points[i].x && Math.abs(drawn(p.y) - drawn(b.points[i].y)) <= tol);
  const groups: Curve[][] = [];
  for (const c of curves) {
    const g = groups.find((members) => same(members[0], c));
    if (g) g.push(c);
    else groups.push([c]);
  }
  return groups.map((g) => g.map((c) => c.name));
}

/** The legend name of a group of coinciding curves. */
export function groupLabel(names: readonly string[]): string {
  return names.join(' = ');
}

/**
 * `rows` (one per point, the curve named by `rows[i][key]`) with each curve that coincides with an earlier one
 * ({@link coincidentGroups}) dropped and the first renamed after its group, so that the chart draws one line per
 * group and its legend names every curve; and the groups of more than one curve.
 */
export function mergeCoincident<R extends Record<string, unknown>>(rows: readonly R[], key: keyof R & string, x: keyof R & string, y: keyof R & string, options: { log: boolean; height: number }): { rows: R[]; merged: string[][] } {
  const names = [...new Set(rows.map((r) => String(r[key])))];
  const curves = names.map((name) => ({ name, points: rows.filter((r) => String(r[key]) === name).map((r) => ({ x: Number(r[x]), y: Number(r[y]) })) }));
  const groups = coincidentGroups(curves, options);
  const label = new Map(groups.map((g) => [g[0], groupLabel(g)]));
  return {
    rows: rows.filter((r) => label.has(String(r[key]))).map((r) => ({ ...r, [key]: label.get(String(r[key])) })),
    merged: groups.filter((g) => g.length > 1),
  };
}
