/**
 * Small DOM helpers for the notebooks: labelled inputs that work with Observable's `view()`, a table, and
 * the `data-check` outputs the browser test reads.
 *
 * @remarks
 * Notebook Kit's implicit `Inputs` and `html` come from the jsDelivr CDN at view time; the notebooks must
 * work offline, so they use these instead. An input here is a `<div>` with a `value` property; the inner
 * `<input>`'s `input` event bubbles to it, which is what `view(element)` listens to.
 */

type Child = Node | string | number | null | undefined | false;

/** `el('p', {class: 'x'}, 'text', child)`: an element with attributes and children (strings become text). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | number | boolean> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false) continue;
    node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** An input wrapper whose `value` is read by `view()`. */
export type InputElement<T> = HTMLDivElement & { readonly value: T };

let inputCount = 0;

function wrap<T>(label: string, control: HTMLElement, read: () => T, extra: Child[] = []): InputElement<T> {
  const id = `nb-input-${++inputCount}`;
  control.id = id;
  const div = el('div', { class: 'nb-input' }, el('label', { for: id }, label), control, ...extra);
  Object.defineProperty(div, 'value', { get: read });
  return div as InputElement<T>;
}

/** Options of {@link slider}. */
export interface SliderOptions {
  min: number;
  max: number;
  step: number;
  value: number;
  /** How the current value is printed next to the slider. */
  format?: (x: number) => string;
  /** A name the browser test can find the slider by (`data-name`). */
  name?: string;
}

/** A labelled range slider with its value printed beside it. */
export function slider(label: string, options: SliderOptions): InputElement<number> {
  const { min, max, step, value } = options;
  const format = options.format ?? ((x: number) => String(x));
  const range = el('input', { type: 'range', min, max, step, value, ...(options.name ? { 'data-name': options.name } : {}) });
  range.value = String(value);
  const out = el('output', {}, format(value));
  range.addEventListener('input', () => {
    out.textContent = format(range.valueAsNumber);
  });
  return wrap(label, range, () => range.valueAsNumber, [out]);
}

/** A labelled drop-down; `options` are values, or [value, label] pairs. */
export function select<T extends string>(label: string, options: readonly (T | readonly [T, string])[], value?: T, name?: string): InputElement<T> {
  const sel = el('select', name ? { 'data-name': name } : {});
  for (const o of options) {
    const [v, text] = typeof o === 'string' ? [o, o] : o;
    sel.append(el('option', { value: v, ...(v === value ? { selected: true } : {}) }, text));
  }
  return wrap(label, sel, () => sel.value as T);
}

/** A labelled text field (its value is read on every keystroke). */
export function text(label: string, value: string, name?: string): InputElement<string> {
  const input = el('input', { type: 'text', value, size: 28, ...(name ? { 'data-name': name } : {}) });
  input.value = value;
  return wrap(label, input, () => input.value);
}

/** A labelled file picker; its value is the list of chosen files (empty until the reader picks some). */
export function files(label: string, options: { accept?: string; directory?: boolean; name?: string } = {}): InputElement<File[]> {
  const input = el('input', { type: 'file', multiple: true, ...(options.accept ? { accept: options.accept } : {}), ...(options.directory ? { webkitdirectory: true } : {}), ...(options.name ? { 'data-name': options.name } : {}) });
  const div = wrap(label, input, () => Array.from(input.files ?? []));
  // A file input fires `change`, not always `input`; forward it so that `view()` sees every pick.
  input.addEventListener('change', () => div.dispatchEvent(new Event('input', { bubbles: true })));
  return div;
}

/**
 * A value computed in the page, shown as text and exposed to the browser test as
 * `<output data-check="name" data-value="…">` (`String(value)` round-trips a float64 exactly).
 */
export function check(name: string, value: number | string, shown?: string): HTMLOutputElement {
  return el('output', { 'data-check': name, 'data-value': String(value) }, shown ?? (typeof value === 'number' ? fmt(value) : value));
}

/** A number with `digits` significant digits (exponent form outside [1e-3, 1e6)). */
export function fmt(x: number, digits = 6): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(digits))) : x.toExponential(digits - 1);
}

/**
 * A plain table of rows; `columns` picks and orders the keys (default: the first row's). Numbers go through
 * {@link fmt}. A cell never wraps (a number such as 3.55688e-12 stays on one line), except in the columns
 * named in `options.lines`, whose text keeps its line breaks (one item per line).
 */
export function table(rows: readonly Record<string, unknown>[], columns?: readonly string[], options: { lines?: readonly string[] } = {}): HTMLTableElement {
  const cols = columns ?? Object.keys(rows[0] ?? {});
  const lines = new Set(options.lines ?? []);
  const cell = (v: unknown): string => (typeof v === 'number' ? fmt(v) : v === null || v === undefined ? '—' : String(v));
  return el(
    'table',
    { class: 'nb-table' },
    el('thead', {}, el('tr', {}, ...cols.map((c) => el('th', {}, c)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...cols.map((c) => el('td', lines.has(c) ? { class: 'nb-lines' } : {}, cell(r[c])))))),
  );
}

/** A matrix as a small bordered table (entries through {@link fmt}). */
export function matrix(m: readonly (readonly number[])[], digits = 4): HTMLTableElement {
  return el('table', { class: 'nb-matrix' }, el('tbody', {}, ...m.map((row) => el('tr', {}, ...row.map((x) => el('td', {}, fmt(x, digits)))))));
}

/** A paragraph that states a verdict in colour: `ok` green, otherwise red. */
export function verdict(ok: boolean, textOk: string, textBad: string): HTMLParagraphElement {
  return el('p', { class: ok ? 'nb-ok' : 'nb-bad' }, ok ? `✓ ${textOk}` : `✗ ${textBad}`);
}

const style = el(
  'style',
  {},
  `.nb-input{display:flex;align-items:center;gap:.6em;margin:.2em 0;font:13px var(--sans-serif,system-ui)}
.nb-input label{min-width:14em}
.nb-input input[type=range]{width:16em}
.nb-input output{font-variant-numeric:tabular-nums;min-width:5em}
.nb-table,.nb-matrix{border-collapse:collapse;font:12px var(--monospace,monospace);margin:.5em 0}
.nb-table th,.nb-table td{padding:.15em .6em;border-bottom:1px solid #ddd;text-align:right}
.nb-table td{white-space:nowrap}
.nb-table td.nb-lines{white-space:pre-line;text-align:left}
.nb-table th{text-align:right;font-weight:600}
.nb-matrix td{padding:.1em .5em;border-left:1px solid #999;border-right:1px solid #999;text-align:right}
.nb-ok{color:#1a7f37;font-weight:600}.nb-bad{color:#cf222e;font-weight:600}
output[data-check]{font-variant-numeric:tabular-nums;font-weight:600}`,
);
document.head.append(style);
