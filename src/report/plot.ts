/**
 * Standalone SVG line charts for reports, rendered with Observable Plot against a linkedom document, so they
 * work in Node with no browser DOM (and in a browser, given its `document`). The output is a string that
 * starts with `<svg xmlns="http://www.w3.org/2000/svg" …>` and can be written to a `.svg` file as it is.
 *
 * @remarks
 * Plot wraps its SVG in an HTML `<figure>` as soon as a title, caption or colour legend is asked for, which
 * is not a standalone SVG. So Plot draws only the frame, axes and marks here, and the title and the legend
 * (one swatch per series, in the order given) are added as SVG elements in the top margin. Each series is
 * its own `line` mark with a constant colour, which gives exactly one `<path>` per series inside the
 * `g[aria-label="line"]` groups, and no colour scale whose domain order could change the picture.
 *
 * The same spec gives the same string: nothing here is random, and Plot's only per-call counters (clip-path,
 * pattern and marker ids) are not used. This module must stay browser-safe: it writes no files (the CLI
 * does) and imports nothing from `node:`.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import { InvalidArgumentError, NonFiniteError } from '../errors.js';

/** Axis scale: linear (default) or base-10 logarithmic (every value must then be > 0). */
export type AxisType = 'linear' | 'log';

/** One axis: its label and scale type. */
export interface AxisSpec {
  label: string;
  type?: AxisType;
  /**
   * Ticks at integers only, labelled without decimals ("1", not "1.0" or "1.000000"): for epochs, cycles and
   * counts. Default: true on a linear axis whose values (points and rules) are all integers, false otherwise.
   * Ignored on a log axis.
   */
  integer?: boolean;
}

/** One line: a name for the legend and its points [x, y], drawn in the order given. */
export interface SeriesSpec {
  name: string;
  points: readonly (readonly [number, number])[];
  /** Draw dashed (e.g. a bound next to a measurement). Default false. */
  dashed?: boolean;
  /** A CSS colour; default the next colour of the Tableau 10 palette (by series index). */
  color?: string;
}

/**
 * A shaded band between two curves over the same x: `points[j]` = [x_j, low_j, high_j], x non-decreasing, low_j ≤
 * high_j, drawn as one filled polygon (the `high` edge left to right, then the `low` edge back) behind the lines:
 * e.g. T(λ_t − σ_t) … T(λ_t + σ_t) around a schedule T(λ_t), or the min–max over seeds around their mean.
 */
export interface BandSpec {
  points: readonly (readonly [number, number, number])[];
  /** A CSS colour; default the next colour of the Tableau 10 palette (by band index). */
  color?: string;
  /** Fill opacity in [0, 1] (default 0.2). */
  opacity?: number;
  /** Also stroke the band's edge with a thin line (a lighter band that must stay visible under another). Default false. */
  outline?: boolean;
  /** The legend's name for it (and the `aria-description` of its mark); a band without one has no legend entry. */
  name?: string;
}

/** A horizontal (`y`) or vertical (`x`) reference line with an optional label. Give exactly one of x, y. */
export interface RuleSpec {
  y?: number;
  x?: number;
  label?: string;
}

/** What {@link lineChart} draws. */
export interface LineChartSpec {
  title?: string;
  x: AxisSpec;
  y: AxisSpec;
  /** At least one series, each with at least one point. */
  series: readonly SeriesSpec[];
  rules?: readonly RuleSpec[];
  /** Shaded bands, drawn under the series in the order given (see {@link BandSpec}). */
  bands?: readonly BandSpec[];
  /** Outer width in pixels (default 640). */
  width?: number;
  /** Outer height in pixels (default 400). */
  height?: number;
}

/**
 * The part of a DOM document this module touches itself (Plot needs a full one: a browser's `document` or
 * linkedom's). Typed here because the library compiles without the DOM lib, where Plot's own `Document`
 * type would silently be `any`.
 */
export interface DomDocument {
  createElementNS(namespaceURI: string, qualifiedName: string): DomElement;
}

/** The part of a DOM element this module touches (see {@link DomDocument}). */
export interface DomElement {
  setAttribute(name: string, value: string): void;
  appendChild(node: DomElement): unknown;
  readonly childNodes: ArrayLike<DomElement> & Iterable<DomElement>;
  readonly nodeName: string;
  textContent: string | null;
  readonly outerHTML: string;
}

/** Options for {@link lineChart}. */
export interface LineChartOptions {
  /** The document Plot creates elements in; default a fresh linkedom document (Node). Pass `window.document` in a browser. */
  document?: DomDocument;
}

/** Tableau 10, the palette Plot uses for categorical colour by default. */
export const SERIES_COLORS: readonly string[] = ['#4e79a7', '#f28e2c', '#e15759', '#76b7b2', '#59a14f', '#edc949', '#af7aa1', '#ff9da7', '#9c755f', '#bab0ab'];

const SVG_NS = 'http://www.w3.org/2000/svg';
const TITLE_HEIGHT = 22;
const LEGEND_ROW = 16;
/** Room Plot's own y-axis label ("↑ label") needs above the frame. */
const AXIS_LABEL_ROOM = 24;
/** Extra height of each further line of a wrapped title. */
const TITLE_LINE = 18;
const TITLE_SIZE = 14;
/** Rough advance width of a 10px system-ui character, for laying out legend rows (no text metrics in Node). */
const CHAR_WIDTH = 6.2;

/**
 * Advance widths of printable ASCII (space … ~) in Helvetica Bold, in 1/1000 em (the font's AFM metrics). Used
 * as an upper bound for the regular weight too: bold glyphs are at least as wide.
 */
// prettier-ignore
const BOLD_WIDTHS = [
  278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556,
  556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611,
  611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

/**
 * An upper estimate of the width in pixels of `text` set in the system sans-serif at `fontSize` pixels (bold or
 * not). There are no font metrics in Node, so this is Helvetica Bold's advance widths (1/1000 em) for ASCII and
 * 0.7 em for any other character (Greek, math symbols, arrows), times 1.1: DejaVu Sans, the system-ui font of
 * most Linux machines, runs up to ≈ 10 % wider than Helvetica. Used to lay out titles and legends so that they
 * stay inside the viewBox.
 */
export function textWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    em += c >= 32 && c <= 126 ? BOLD_WIDTHS[c - 32] / 1000 : 0.7;
  }
  return 1.1 * em * fontSize;
}

/**
 * Splits `text` at spaces into lines of at most `maxWidth` pixels by {@link textWidth} (a single word wider than
 * that is cut into pieces that fit). Joining the lines with single spaces gives back `text` with its runs of
 * whitespace made single (and cut words joined without a space).
 */
export function wrapText(text: string, fontSize: number, maxWidth: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    const candidate = line ? `${line} ${word}` : word;
    if (textWidth(candidate, fontSize) <= maxWidth) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    line = '';
    let rest = word;
    // A word too wide on its own: cut it where it stops fitting (at least one character per line).
    while (textWidth(rest, fontSize) > maxWidth) {
      const chars = [...rest];
      let k = 1;
      while (k < chars.length && textWidth(chars.slice(0, k + 1).join(''), fontSize) <= maxWidth) k++;
      lines.push(chars.slice(0, k).join(''));
      rest = chars.slice(k).join('');
    }
    line = rest;
  }
  if (line) lines.push(line);
  return lines;
}

function checkAxis(axis: AxisSpec | undefined, name: 'x' | 'y'): AxisType {
  if (!axis || typeof axis.label !== 'string') throw new InvalidArgumentError(`${name}.label`, 'a string', axis?.label);
  const type = axis.type ?? 'linear';
  if (type !== 'linear' && type !== 'log') throw new InvalidArgumentError(`${name}.type`, "'linear' or 'log'", type);
  return type;
}

function checkSize(v: number | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isFinite(v)) throw new NonFiniteError(name, v);
  if (!(v >= 100)) throw new InvalidArgumentError(name, 'at least 100 pixels', v);
  return v;
}

/** Checks one coordinate: finite, and > 0 on a log axis. */
function checkCoordinate(v: unknown, axisType: AxisType, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new NonFiniteError(name, v);
  if (axisType === 'log' && !(v > 0)) throw new InvalidArgumentError(name, 'a value > 0 (the axis is logarithmic)', v);
  return v;
}

/**
 * Tick labels for a log axis: powers of ten only (and 2·10^k, 5·10^k when the axis spans at most two
 * decades), written as 1e-6 below 1e-3 or from 1e4 on and as plain decimals in between. Plot's default for
 * log axes uses SI prefixes ("10µ"), which reads badly for errors and scales.
 */
function logTickFormat(lo: number, hi: number): (d: number) => string {
  const span = Math.log10(hi / lo);
  return (d: number) => {
    const e = Math.floor(Math.log10(d) + 1e-9);
    const mant = d / Math.pow(10, e);
    const near = (t: number): boolean => Math.abs(mant - t) < 1e-6;
    const keep = near(1) || near(10) || (span <= 2 && (near(2) || near(5)));
    if (!keep) return '';
    const k = near(10) ? e + 1 : e;
    const m = near(10) ? 1 : Math.round(mant);
    if (k < -3 || k > 3) return `${m}e${k}`;
    return String(Number((m * Math.pow(10, k)).toPrecision(6)));
  };
}

/**
 * Integer ticks for a linear axis over [lo, hi]: the smallest step of 1, 2 or 5 × 10^k (k ≥ 0) that leaves at most
 * `count` intervals, and the multiples of the step inside the domain. The domain is [lo, hi], widened by ½ on each side when
 * lo = hi (one epoch: a single tick "1" in the middle).
 */
export function integerTicks(lo: number, hi: number, count: number): { domain: [number, number]; ticks: number[] } {
  if (lo === hi) return { domain: [lo - 0.5, hi + 0.5], ticks: Number.isInteger(lo) ? [lo] : [] };
  let step = 1;
  for (let i = 1; (hi - lo) / step > count; i++) step = [1, 2, 5][i % 3] * Math.pow(10, Math.floor(i / 3));
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) ticks.push(t);
  return { domain: [lo, hi], ticks };
}

interface LegendItem {
  name: string;
  color: string;
  dashed: boolean;
  /** A band's swatch: a filled rectangle of this opacity instead of a line. */
  fill?: number;
}

/** Lays legend items out in rows that fit `width`; returns [row, x offset] per item and the row count. */
function legendLayout(items: readonly LegendItem[], width: number, left: number): { at: [number, number][]; rows: number } {
  const at: [number, number][] = [];
  let row = 0;
  let x = left;
  for (const it of items) {
    const w = 24 + CHAR_WIDTH * it.name.length + 14;
    if (x > left && x + w > width - 8) {
      row++;
      x = left;
    }
    at.push([row, x]);
    x += w;
  }
  return { at, rows: items.length === 0 ? 0 : row + 1 };
}

/**
 * Renders a line chart as a standalone SVG string.
 *
 * @remarks
 * `spec.series[i].points[j]` = [x, y] are drawn as a polyline with a dot at each point; `spec.rules` are
 * dashed reference lines (y = const or x = const) with their labels at the right (or top) end; axis types
 * `'log'` use base-10 scales; `spec.bands` are filled polygons under the lines (`g[aria-label="area"]`). Values are drawn as given: nothing is dropped or clamped, so a value that
 * cannot be drawn is an error rather than a silent gap. A linear axis whose values are all integers (epochs)
 * gets integer ticks only ({@link AxisSpec.integer}); a title wider than the chart wraps onto further lines
 * (`wrapText`) and the drawing moves down below them.
 *
 * @throws InvalidArgumentError naming `series` when there is no series, `series[i].points` when a series is
 *   empty, `series[i].name` for a missing or repeated name, `series[i].points[j]` (or `rules[k].y`) for a
 *   value ≤ 0 on a log axis, `rules[k]` for a rule that is not exactly one of x, y, and `x.type`/`y.type`
 *   for an unknown scale, `width`/`height` below 100 pixels (or a height that leaves the plot under 100
 *   pixels below the title and legend), `bands[i].points` for an empty band, `bands[i].points[j]` for low > high,
 *   `bands[i].points[j][0]` for an x below the previous point's, `bands[i].opacity` outside [0, 1]; NonFiniteError
 *   naming `series[i].points[j]` (or `bands[i].points[j][m]`, `rules[k].x`, `width`, …) for NaN or ±∞.
 */
export function lineChart(spec: LineChartSpec, options: LineChartOptions = {}): string {
  const xType = checkAxis(spec.x, 'x');
  const yType = checkAxis(spec.y, 'y');
  const width = checkSize(spec.width, 'width', 640);
  const height = checkSize(spec.height, 'height', 400);
  if (!Array.isArray(spec.series) || spec.series.length === 0) throw new InvalidArgumentError('series', 'at least one series', Array.isArray(spec.series) ? 'an empty array' : typeof spec.series);
  const names = new Set<string>();
  const data: { x: number; y: number }[][] = spec.series.map((s, i) => {
    if (typeof s.name !== 'string' || s.name.length === 0) throw new InvalidArgumentError(`series[${i}].name`, 'a non-empty string', s.name);
    if (names.has(s.name)) throw new InvalidArgumentError(`series[${i}].name`, 'a name no other series has', s.name);
    names.add(s.name);
    const points: readonly (readonly [number, number])[] = s.points;
    if (!Array.isArray(points) || points.length === 0) throw new InvalidArgumentError(`series[${i}].points`, 'at least one point', Array.isArray(points) ? 'an empty array' : typeof points);
    return points.map((p: readonly [number, number], j: number) => {
      const name = `series[${i}].points[${j}]`;
      if (!Array.isArray(p) || p.length !== 2) throw new InvalidArgumentError(name, 'a pair [x, y]', Array.isArray(p) ? `an array of length ${p.length}` : typeof p);
      return { x: checkCoordinate(p[0], xType, `${name}[0]`), y: checkCoordinate(p[1], yType, `${name}[1]`) };
    });
  });
  const bands = (spec.bands ?? []).map((b, i) => {
    const points: readonly (readonly [number, number, number])[] = b.points;
    if (!Array.isArray(points) || points.length === 0) throw new InvalidArgumentError(`bands[${i}].points`, 'at least one point', Array.isArray(points) ? 'an empty array' : typeof points);
    const opacity = b.opacity ?? 0.2;
    if (!(opacity >= 0 && opacity <= 1)) throw new InvalidArgumentError(`bands[${i}].opacity`, 'a number in [0, 1]', opacity);
    if (b.name !== undefined && (typeof b.name !== 'string' || b.name.length === 0)) throw new InvalidArgumentError(`bands[${i}].name`, 'a non-empty string', b.name);
    let lastX = -Infinity;
    const pts = points.map((p: readonly [number, number, number], j: number) => {
      const name = `bands[${i}].points[${j}]`;
      if (!Array.isArray(p) || p.length !== 3) throw new InvalidArgumentError(name, 'a triple [x, low, high]', Array.isArray(p) ? `an array of length ${p.length}` : typeof p);
      const x = checkCoordinate(p[0], xType, `${name}[0]`);
      const lo = checkCoordinate(p[1], yType, `${name}[1]`);
      const hi = checkCoordinate(p[2], yType, `${name}[2]`);
      if (x < lastX) throw new InvalidArgumentError(`${name}[0]`, `x ≥ the previous point's ${lastX} (a band's x must not decrease)`, x);
      if (lo > hi) throw new InvalidArgumentError(name, 'low ≤ high', `[${x}, ${lo}, ${hi}]`);
      lastX = x;
      return { x, lo, hi };
    });
    return { pts, color: b.color ?? SERIES_COLORS[i % SERIES_COLORS.length], opacity, outline: b.outline ?? false, name: b.name };
  });
  const rules = (spec.rules ?? []).map((r, k) => {
    const hasX = r.x !== undefined;
    const hasY = r.y !== undefined;
    if (hasX === hasY) throw new InvalidArgumentError(`rules[${k}]`, 'exactly one of x, y', JSON.stringify(r));
    return hasY ? { axis: 'y' as const, value: checkCoordinate(r.y, yType, `rules[${k}].y`), label: r.label ?? '' } : { axis: 'x' as const, value: checkCoordinate(r.x, xType, `rules[${k}].x`), label: r.label ?? '' };
  });

  const items: LegendItem[] = spec.series.map((s, i) => ({ name: s.name, color: s.color ?? SERIES_COLORS[i % SERIES_COLORS.length], dashed: s.dashed ?? false }));
  for (const b of bands) if (b.name !== undefined) items.push({ name: b.name, color: b.color, dashed: false, fill: Math.max(b.opacity, 0.15) });
  const marginLeft = 60;
  // The title wraps to the width right of the left margin (it was cut at the viewBox when longer).
  const titleLines = spec.title ? wrapText(spec.title, TITLE_SIZE, width - marginLeft - 8) : [];
  const titleHeight = titleLines.length === 0 ? 0 : TITLE_HEIGHT + (titleLines.length - 1) * TITLE_LINE;
  const legend = legendLayout(items, width, marginLeft);
  const legendTop = 6 + titleHeight;
  // Plot pins its y-axis label to the top edge of its own SVG, so the header goes above Plot's drawing.
  const header = legendTop + legend.rows * LEGEND_ROW + 4;
  if (height - header < 100) throw new InvalidArgumentError('height', `at least ${header + 100} pixels for this title and legend`, height);

  const bandValues = (axis: 'x' | 'y'): number[] => bands.flatMap((b) => b.pts.flatMap((p) => (axis === 'x' ? [p.x] : [p.lo, p.hi])));
  const axisValues = (axis: 'x' | 'y'): number[] => [...data.flat().map((p) => p[axis]), ...bandValues(axis), ...rules.filter((r) => r.axis === axis).map((r) => r.value)];
  const extent = (axis: 'x' | 'y'): [number, number] => {
    const vs = axisValues(axis);
    return [Math.min(...vs), Math.max(...vs)];
  };
  const scale = (type: AxisType, spec: AxisSpec, axis: 'x' | 'y', length: number): Plot.ScaleOptions => {
    const [lo, hi] = extent(axis);
    const label = spec.label;
    if (type === 'log') return { type: 'log', label, tickFormat: logTickFormat(lo, hi), grid: true, ...(lo === hi ? { domain: [lo / 2, hi * 2] } : {}) };
    const values = axisValues(axis);
    const integer = spec.integer ?? values.every((v) => Number.isInteger(v));
    if (integer) {
      const { domain, ticks } = integerTicks(lo, hi, Math.max(2, Math.floor(length / (axis === 'x' ? 60 : 40))));
      return { type: 'linear', label, grid: true, domain, ticks, tickFormat: (d: number) => String(d) };
    }
    // One value only: a range around it (Plot would print a degenerate domain's single tick as "0.500000").
    if (lo === hi) {
      const pad = lo === 0 ? 1 : Math.abs(lo) / 10;
      return { type: 'linear', label, grid: true, domain: [lo - pad, hi + pad] };
    }
    return { type: 'linear', label, grid: true };
  };

  const marks: Plot.Markish[] = [Plot.frame({ stroke: 'currentColor', strokeOpacity: 0.3 })];
  // Bands first, under the lines; curve 'linear' so the polygon's vertices are the points given, in their order.
  for (const b of bands) {
    marks.push(
      Plot.areaY(b.pts, { x: 'x', y1: 'lo', y2: 'hi', curve: 'linear', fill: b.color, fillOpacity: b.opacity, ...(b.outline ? { stroke: b.color, strokeOpacity: 0.7, strokeWidth: 0.75 } : {}), ariaDescription: b.name ?? 'band' }),
    );
  }
  data.forEach((pts, i) => {
    const it = items[i];
    marks.push(Plot.line(pts, { x: 'x', y: 'y', stroke: it.color, strokeWidth: 1.75, strokeDasharray: it.dashed ? '6,4' : undefined }));
    marks.push(Plot.dot(pts, { x: 'x', y: 'y', fill: it.color, r: 2.5 }));
  });
  for (const r of rules) {
    const datum = [{ v: r.value, label: r.label }];
    if (r.axis === 'y') {
      marks.push(Plot.ruleY(datum, { y: 'v', stroke: 'currentColor', strokeOpacity: 0.6, strokeDasharray: '2,3' }));
      if (r.label) marks.push(Plot.text(datum, { y: 'v', text: 'label', frameAnchor: 'right', textAnchor: 'end', dx: -4, dy: -6, fill: 'currentColor' }));
    } else {
      marks.push(Plot.ruleX(datum, { x: 'v', stroke: 'currentColor', strokeOpacity: 0.6, strokeDasharray: '2,3' }));
      if (r.label) marks.push(Plot.text(datum, { x: 'v', text: 'label', frameAnchor: 'top', textAnchor: 'start', dx: 4, dy: 8, fill: 'currentColor' }));
    }
  }

  const document: DomDocument = options.document ?? (parseHTML('<!doctype html><html><body></body></html>').document as unknown as DomDocument);
  const svg: DomElement = Plot.plot({
    document,
    width,
    height: height - header,
    marginTop: AXIS_LABEL_ROOM,
    marginLeft,
    marginRight: 24,
    marginBottom: 40,
    x: scale(xType, spec.x, 'x', width - marginLeft - 24),
    y: scale(yType, spec.y, 'y', height - header - AXIS_LABEL_ROOM - 40),
    marks,
  });
  svg.setAttribute('xmlns', SVG_NS);
  const el = (tag: string, attrs: Record<string, string | number>, text?: string): DomElement => {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  };
  // Move Plot's drawing (all but its <style>) down by the header and grow the canvas to the full height.
  const body = el('g', { transform: `translate(0,${header})` });
  for (const child of [...svg.childNodes]) if (child.nodeName.toLowerCase() !== 'style') body.appendChild(child);
  svg.setAttribute('height', String(height));
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  // An opaque background: a standalone file is otherwise transparent, unreadable in dark viewers.
  svg.appendChild(el('rect', { width: '100%', height: '100%', fill: 'white' }));
  svg.appendChild(body);
  if (titleLines.length > 0) {
    // One <text> of one <tspan> per line; a line but the last keeps its trailing space, so the element's text is
    // the whole title.
    const title = el('text', { 'aria-label': 'title', x: marginLeft, y: 6 + TITLE_SIZE, 'font-size': TITLE_SIZE, 'font-weight': 'bold', 'text-anchor': 'start' });
    titleLines.forEach((line, i) => title.appendChild(el('tspan', { x: marginLeft, dy: i === 0 ? 0 : TITLE_LINE }, i < titleLines.length - 1 ? `${line} ` : line)));
    svg.appendChild(title);
  }
  const g = el('g', { 'aria-label': 'legend', 'text-anchor': 'start' });
  items.forEach((it, i) => {
    const [row, x] = legend.at[i];
    const y = legendTop + row * LEGEND_ROW + LEGEND_ROW / 2;
    if (it.fill !== undefined) g.appendChild(el('rect', { x, y: y - 5, width: 18, height: 10, fill: it.color, 'fill-opacity': it.fill }));
    else {
      const swatch: Record<string, string | number> = { x1: x, x2: x + 18, y1: y, y2: y, stroke: it.color, 'stroke-width': 2 };
      if (it.dashed) swatch['stroke-dasharray'] = '6,4';
      g.appendChild(el('line', swatch));
    }
    g.appendChild(el('text', { x: x + 24, y, dy: '0.32em' }, it.name));
  });
  svg.appendChild(g);
  return svg.outerHTML;
}
