import { readFileSync } from 'node:fs';
import { DOMParser } from 'linkedom';
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError, NonFiniteError } from '../../src/errors.js';
import { integerTicks, lineChart, textWidth, wrapText, type LineChartSpec } from '../../src/report/plot.js';

/**
 * Strict XML well-formedness, written out because linkedom's parser repairs broken markup silently: every
 * tag closes in order, attributes are name="value" with no raw '<' and '&' only as an entity, text has no
 * raw '<' and only entity '&'. Returns the first problem found, or null.
 */
function wellFormedProblem(xml: string): string | null {
  const entity = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;
  const badAmp = (s: string): boolean => s.replace(entity, '').includes('&');
  const stack: string[] = [];
  const token = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<(\/?)([A-Za-z][\w:.-]*)((?:\s+[A-Za-z_:][\w:.-]*\s*=\s*"[^"<]*")*)\s*(\/?)>|<|[^<]+/g;
  let m: RegExpExecArray | null;
  let roots = 0;
  while ((m = token.exec(xml)) !== null) {
    const t = m[0];
    if (t.startsWith('<!--') || t.startsWith('<?')) continue;
    if (t === '<') return `raw '<' or malformed tag at ${m.index}: ${xml.slice(m.index, m.index + 60)}`;
    if (!t.startsWith('<')) {
      if (badAmp(t)) return `raw '&' in text at ${m.index}`;
      if (stack.length === 0 && t.trim() !== '') return `text outside the root at ${m.index}`;
      continue;
    }
    const [, close, name, attrs, selfClose] = m;
    if (attrs && badAmp(attrs)) return `raw '&' in attributes of <${name}>`;
    const attrNames = [...attrs.matchAll(/([A-Za-z_:][\w:.-]*)\s*=/g)].map((a) => a[1]);
    if (new Set(attrNames).size !== attrNames.length) return `repeated attribute on <${name}>`;
    if (close) {
      const open = stack.pop();
      if (open !== name) return `</${name}> closes <${open}>`;
    } else if (!selfClose) {
      if (stack.length === 0) roots++;
      stack.push(name);
    } else if (stack.length === 0) roots++;
  }
  if (stack.length > 0) return `unclosed <${stack[stack.length - 1]}>`;
  return roots === 1 ? null : `${roots} root elements`;
}

/** The bits of linkedom's DOM the tests read (the project compiles without the DOM lib). */
interface El {
  readonly tagName: string;
  readonly textContent: string | null;
  readonly parentElement: El | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El> & Iterable<El>;
}
interface Doc {
  readonly documentElement: El;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El> & Iterable<El>;
}

function parse(svg: string): Doc {
  return new DOMParser().parseFromString(svg, 'image/svg+xml') as unknown as Doc;
}

/** The polyline paths of the line marks, one per series. */
function linePaths(doc: Doc): El[] {
  return [...doc.querySelectorAll('g[aria-label="line"] path')];
}

/** y coordinates (SVG pixels) of a path "Mx,yLx,y…". */
function pathYs(d: string): number[] {
  return [...d.matchAll(/[ML]([-\d.e]+),([-\d.e]+)/g)].map((p) => Number(p[2]));
}

const base: LineChartSpec = {
  title: 'Errors <&> "quotes"',
  x: { label: 'σ', type: 'log' },
  y: { label: '‖Θ − J*‖', type: 'log' },
  series: [
    { name: 'stn', points: [[0.01, 1e-5], [0.1, 1e-3], [1, 0.1]] },
    { name: 'centered-stn', points: [[0.01, 2e-5], [0.1, 2e-3], [1, 0.2]], dashed: true },
    { name: 'delta-stn & co', points: [[0.01, 3e-6], [0.5, 0.05]] },
  ],
  rules: [{ y: 0.026, label: '‖J*_GN − J*‖' }, { x: 0.3, label: 'σ = 0.3' }],
};

describe('lineChart', () => {
  test('returns a standalone, well-formed SVG with the SVG namespace', () => {
    const svg = lineChart(base);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(wellFormedProblem(svg)).toBeNull();
    const doc = parse(svg);
    const root = doc.documentElement;
    expect(root.tagName.toLowerCase()).toBe('svg');
    expect(root.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg');
    expect(root.getAttribute('width')).toBe('640');
    expect(root.getAttribute('height')).toBe('400');
    expect(root.getAttribute('viewBox')).toBe('0 0 640 400');
    expect(doc.querySelectorAll('figure').length).toBe(0);
  });

  test('the checker itself rejects broken markup', () => {
    expect(wellFormedProblem('<svg><g></svg>')).not.toBeNull();
    expect(wellFormedProblem('<svg><text>a & b</text></svg>')).not.toBeNull();
    expect(wellFormedProblem('<svg><text>a < b</text></svg>')).not.toBeNull();
    expect(wellFormedProblem('<svg></svg><svg></svg>')).not.toBeNull();
    expect(wellFormedProblem('<svg a="1" a="2"></svg>')).not.toBeNull();
    expect(wellFormedProblem('<svg><g a="x &amp; y"/><text>1 &lt; 2</text></svg>')).toBeNull();
  });

  test('draws one path per series, in order, with the legend, title and rules', () => {
    const doc = parse(lineChart(base));
    const paths = linePaths(doc);
    expect(paths.length).toBe(base.series.length);
    // Each series has its own colour, and only the dashed one has a dash pattern.
    const strokes = paths.map((p) => p.getAttribute('stroke') ?? p.parentElement?.getAttribute('stroke'));
    expect(new Set(strokes).size).toBe(3);
    const dashed = paths.map((p) => (p.getAttribute('stroke-dasharray') ?? p.parentElement?.getAttribute('stroke-dasharray')) !== null);
    expect(dashed).toEqual([false, true, false]);
    // Vertex counts follow the points.
    expect(paths.map((p) => pathYs(p.getAttribute('d') ?? '').length)).toEqual([3, 3, 2]);
    const legend = doc.querySelector('g[aria-label="legend"]');
    expect([...(legend?.querySelectorAll('text') ?? [])].map((t) => t.textContent)).toEqual(['stn', 'centered-stn', 'delta-stn & co']);
    const texts = [...doc.querySelectorAll('text')].map((t) => t.textContent);
    expect(texts).toContain('Errors <&> "quotes"');
    expect(texts).toContain('‖J*_GN − J*‖');
    expect(texts).toContain('σ = 0.3');
    expect(doc.querySelectorAll('g[aria-label="rule"]').length).toBe(2);
  });

  test('a log y axis spaces decades evenly; a linear one does not', () => {
    const spec = (type: 'log' | 'linear'): LineChartSpec => ({
      x: { label: 'x' },
      y: { label: 'y', type },
      series: [{ name: 'a', points: [[1, 1e-4], [2, 1e-2], [3, 1]] }],
    });
    const ys = (type: 'log' | 'linear'): number[] => pathYs(linePaths(parse(lineChart(spec(type))))[0].getAttribute('d') ?? '');
    const [a, b, c] = ys('log');
    expect(Math.abs(a - b - (b - c))).toBeLessThan(0.01);
    const [d, e, f] = ys('linear');
    expect(Math.abs(d - e - (e - f))).toBeGreaterThan(10);
    // Log tick labels are plain powers of ten, not SI prefixes.
    const labels = [...parse(lineChart(spec('log'))).querySelectorAll('g[aria-label="y-axis tick label"] text')].map((t) => t.textContent).filter((t) => t);
    expect(labels).toContain('0.001');
    expect(labels).toContain('1e-4');
    expect(labels.join(' ')).not.toMatch(/[µm]/);
  });

  test('a log x axis also works, and the same spec gives the same string', () => {
    const first = lineChart(base);
    lineChart({ x: { label: 'r' }, y: { label: 'n' }, series: [{ name: 'other', points: [[0, 1]] }] });
    expect(lineChart(base)).toBe(first);
    const xs = [...(linePaths(parse(first))[0].getAttribute('d') ?? '').matchAll(/[ML]([-\d.e]+),/g)].map((p) => Number(p[1]));
    expect(Math.abs(xs[1] - xs[0] - (xs[2] - xs[1]))).toBeLessThan(0.01);
  });

  test('width and height are honoured', () => {
    const doc = parse(lineChart({ ...base, width: 800, height: 500 }));
    expect(doc.documentElement.getAttribute('width')).toBe('800');
    expect(doc.documentElement.getAttribute('height')).toBe('500');
  });

  test('typed errors for bad input name the argument', () => {
    const bad = (patch: Partial<LineChartSpec>): (() => string) => () => lineChart({ ...base, ...patch });
    expect(bad({ series: [] })).toThrow(InvalidArgumentError);
    expect(bad({ series: [] })).toThrow(/^series:/);
    expect(bad({ series: [{ name: 'a', points: [] }] })).toThrow(/series\[0\]\.points/);
    expect(bad({ series: [{ name: 'a', points: [] }] })).toThrow(InvalidArgumentError);
    const withNaN = bad({ series: [base.series[0], { name: 'b', points: [[0.1, 1], [0.2, 2], [0.3, Number.NaN]] }] });
    expect(withNaN).toThrow(NonFiniteError);
    expect(withNaN).toThrow(/series\[1\]\.points\[2\]/);
    expect(bad({ series: [{ name: 'a', points: [[Number.POSITIVE_INFINITY, 1]] }] })).toThrow(NonFiniteError);
    const zeroOnLog = bad({ series: [{ name: 'a', points: [[0.1, 1], [0.2, 0]] }] });
    expect(zeroOnLog).toThrow(InvalidArgumentError);
    expect(zeroOnLog).toThrow(/series\[0\]\.points\[1\]/);
    expect(bad({ series: [base.series[0], base.series[0]] })).toThrow(/series\[1\]\.name/);
    expect(bad({ rules: [{ x: 1, y: 1 }] })).toThrow(/rules\[0\]/);
    expect(bad({ rules: [{ y: -1 }] })).toThrow(InvalidArgumentError);
    expect(bad({ width: Number.NaN })).toThrow(NonFiniteError);
    expect(bad({ height: 120 })).toThrow(InvalidArgumentError);
    expect(() => lineChart({ ...base, y: { label: 'y', type: 'sqrt' as 'log' } })).toThrow(/y\.type/);
  });

  test('epoch axes: integer ticks only, written without decimals; one epoch is one tick "1" (issue 14)', () => {
    const ticks = (svg: string, axis: 'x' | 'y'): string[] => [...parse(svg).querySelectorAll(`g[aria-label="${axis}-axis tick label"] text`)].map((t) => t.textContent ?? '');
    const epochs = (n: number, integer?: boolean): string =>
      lineChart({ x: { label: 'epoch', integer }, y: { label: 'loss' }, series: [{ name: 'val', points: Array.from({ length: n }, (_, i) => [i + 1, 1 / (i + 1)] as [number, number]) }] });
    expect(ticks(epochs(3), 'x')).toEqual(['1', '2', '3']);
    expect(ticks(epochs(1), 'x')).toEqual(['1']);
    // A single value on a non-integer axis is not printed as "0.500000" (Plot's degenerate domain).
    expect(ticks(lineChart({ x: { label: 'epoch' }, y: { label: 'loss' }, series: [{ name: 'val', points: [[1, 0.5]] }] }), 'y').join(' ')).not.toMatch(/\.\d{4,}/);
    const many = ticks(epochs(37), 'x');
    expect(many.length).toBeGreaterThan(2);
    expect(many.length).toBeLessThanOrEqual(11);
    for (const t of many) expect(t).toMatch(/^\d+$/);
    // Opting out gives Plot's own ticks, fractional between two epochs: the default is what removes them.
    expect(ticks(epochs(2, false), 'x').some((t) => !/^\d+$/.test(t))).toBe(true);
    expect(ticks(epochs(2), 'x')).toEqual(['1', '2']);
    // A rule at a fractional x makes the axis non-integer by default.
    expect(ticks(lineChart({ x: { label: 'epoch' }, y: { label: 'loss' }, series: [{ name: 'val', points: [[1, 1], [2, 2]] }], rules: [{ x: 1.5 }] }), 'x').some((t) => !/^\d+$/.test(t))).toBe(true);
  });

  test('integerTicks: steps of 1, 2, 5 × 10^k at most `count` intervals apart, inside the domain', () => {
    expect(integerTicks(1, 1, 5)).toEqual({ domain: [0.5, 1.5], ticks: [1] });
    expect(integerTicks(1, 10, 9).ticks).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(integerTicks(1, 10, 5).ticks).toEqual([2, 4, 6, 8, 10]);
    expect(integerTicks(0, 100, 4).ticks).toEqual([0, 50, 100]);
    expect(integerTicks(3, 1000, 4).ticks).toEqual([500, 1000]);
  });

  test('a long title wraps inside the viewBox instead of being cut; its text stays whole (issue 14)', () => {
    const title = 'delta-stn-linearized, edge e12: softmax(α) over the search (mlp-cell, seed 0) with a long tail of words';
    const svg = lineChart({ title, x: { label: 'search epoch' }, y: { label: 'softmax weight' }, series: [{ name: 'a', points: [[1, 0.2], [2, 0.3]] }], width: 520, height: 320 });
    const doc = parse(svg);
    const text = doc.querySelector('text[aria-label="title"]');
    const lines = [...(text?.querySelectorAll('tspan') ?? [])].map((t) => t.textContent ?? '');
    expect(lines.length).toBeGreaterThan(1);
    expect(text?.textContent).toBe(title);
    const x = Number(text?.getAttribute('x'));
    for (const line of lines) expect(x + textWidth(line.trim(), 14)).toBeLessThanOrEqual(520);
    // The title on one line would not have fitted (it was cut at the viewBox).
    expect(x + textWidth(title, 14)).toBeGreaterThan(520);
    // The drawing moves down below the title's lines: Plot's group starts under the last one.
    const body = [...doc.querySelectorAll('g')].find((g) => /^translate\(0,/.test(g.getAttribute('transform') ?? ''));
    const top = Number(/translate\(0,([\d.]+)\)/.exec(body?.getAttribute('transform') ?? '')?.[1]);
    expect(top).toBeGreaterThan(6 + 14 + 18 * (lines.length - 1));
    expect(wellFormedProblem(svg)).toBeNull();
  });

  test('textWidth and wrapText: widths add up, wide glyphs count more, a word too long is cut', () => {
    expect(textWidth('ab', 10)).toBeCloseTo(textWidth('a', 10) + textWidth('b', 10), 12);
    expect(textWidth('W', 10)).toBeGreaterThan(textWidth('i', 10));
    expect(textWidth('α', 14)).toBeGreaterThan(0);
    expect(wrapText('one two three', 10, 1000)).toEqual(['one two three']);
    expect(wrapText('one two three', 10, textWidth('one two', 10))).toEqual(['one two', 'three']);
    const cut = wrapText('x'.repeat(50), 10, 60);
    expect(cut.join('')).toBe('x'.repeat(50));
    for (const l of cut) expect(textWidth(l, 10)).toBeLessThanOrEqual(60);
  });

  test('stays browser-safe: no node: imports and no file system access', () => {
    const source = readFileSync(new URL('../../src/report/plot.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/from ['"](node:|fs['"]|path['"])/);
    expect(source).not.toMatch(/\bprocess\./);
  });
});
