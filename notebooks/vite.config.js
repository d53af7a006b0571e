// Vite configuration for the notebooks (read by `notebooks build --root notebooks`, merged with notebook-kit's).
//
// Notebook Kit resolves its implicit libraries (`Plot`, `d3`, …) to the jsDelivr CDN at view time. The
// notebooks import what they use explicitly from node_modules, and these aliases turn the two implicit ones
// that have a local copy into local imports too, so that nothing is fetched from outside the page's own
// origin even if a cell uses `Plot` or `d3` without importing it (shared/notes/ecosystem.md §6). The other
// implicit libraries (`html`, `Inputs`, `tex`, …) have no local copy: the notebooks use `./lib/ui.ts` instead,
// and the browser test fails on any request that leaves 127.0.0.1.
export default {
  resolve: {
    alias: [
      { find: /^https:\/\/cdn\.jsdelivr\.net\/npm\/@observablehq\/plot\/\+esm$/, replacement: '@observablehq/plot' },
      { find: /^https:\/\/cdn\.jsdelivr\.net\/npm\/d3\/\+esm$/, replacement: 'd3' },
    ],
  },
  build: {
    // The largest chunk is the library's deltastn/theory entry (about 1.4 MB minified: mathjs, fast-check,
    // ml-matrix, linkedom for the toys' SVG plots), shared by the claim and toy notebooks. No notebook loads
    // TensorFlow.js (2.4 MB; the browser test fails if one does), so a chunk past 2 MB means it crept back in.
    chunkSizeWarningLimit: 2048,
  },
};
