/**
 * `deltastn report DIR`: writes DIR/report.html (src/tune/reports.ts, drawn by src/report/html.ts) for a compare
 * study, a search study or a `tune` run directory.
 */
import { writeReport } from '../tune/reports.js';
import { parseCommand, type CommandSpec } from './options.js';

/** The arguments of `deltastn report`. */
export const REPORT_SPEC = {
  name: 'report',
  summary: 'Write DIR/report.html, one self-contained offline page, for a compare, search or tune directory.',
  positionals: [{ name: 'DIR', description: 'one compare, search or tune directory' }],
  options: {},
  example: 'deltastn report out/compare-mlp-mnist',
} as const satisfies CommandSpec;

/** `deltastn report DIR`: writes DIR/report.html and prints its path. */
export function reportCommand(args: readonly string[], out: (s: string) => void): number {
  const { positionals } = parseCommand(REPORT_SPEC, args);
  const { path, kind } = writeReport(positionals[0]);
  out(`${path} (${kind} report)`);
  return 0;
}
