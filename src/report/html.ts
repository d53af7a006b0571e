/**
 * One self-contained HTML page from the blocks it is given (headings, paragraphs, tables, inline SVG plots): the
 * renderer behind `deltastn report DIR`. It draws what it is given and reads nothing; the pages of a study, a
 * search and a run are assembled by the studies (src/tune/reports.ts), which read their directories.
 *
 * @remarks
 * The page is readable offline and fetches nothing: the plots are inline SVG (drawn by Observable Plot on
 * the server side, src/report/plot.ts), the style is an inline `<style>` with system fonts, and there is no
 * script, link, image or font reference. Even the SVG namespace URL is dropped: inside HTML the parser puts
 * `<svg>` in the SVG namespace by itself, so the page contains no `http(s)://` at all. Every text is
 * HTML-escaped; a newline inside a table cell becomes a line break.
 */

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
  const body = b.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c).replace(/\n/g, '<br>')}</td>`).join('')}</tr>`).join('\n');
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
