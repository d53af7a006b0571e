/**
 * `deltastn verify [--claim ID…] [--runs N] [--seed S] [--json] [--log FILE]`: runs every registered claim
 * on N seeded random cases plus its reference values and prints a table (claim, statement, cases, worst
 * error vs tolerance, verdict) or JSON. Exit code 0 only if every claim holds.
 */
import cliProgress from 'cli-progress';
import { InvalidArgumentError } from '../errors.js';
import { appendLine, checkOutputFile, truncateFile } from '../stateFiles.js';
import { claims, claimIds, findClaim } from '../theory/registry.js';
import { runClaim, type ClaimReport, type CheckSummary } from '../theory/runner.js';
import type { AnyClaim } from '../theory/claim.js';
import { formatError, renderTable } from './table.js';
import { parseCommand, type CommandSpec } from './options.js';

/** The options of `deltastn verify` (parsed and documented from this one declaration). */
export const VERIFY_SPEC = {
  name: 'verify',
  summary: 'Check every registered claim (OBS-1, OBS-2, THM-3, APP-E, LIN) on N seeded random cases plus the spec\'s reference values. Exit code 0 only if all hold. A bar per claim on a terminal (not with --json or --quiet).',
  options: {
    claim: { type: 'list', repeats: true, value: 'ID', defaultText: 'every claim', description: 'the claims to check (repeatable or comma-separated; any case)', example: 'THM-3,obs-1' },
    runs: { type: 'integer', min: 0, default: 100, description: 'random cases per claim', example: '1000' },
    seed: { type: 'integer', min: -(2 ** 31), default: 0, description: 'seed of the random cases', example: '3' },
    json: { type: 'boolean', description: 'print the reports as JSON', example: '' },
    wide: { type: 'boolean', description: 'print whole statements (the table is otherwise cut to 100 columns)', example: '' },
    log: { type: 'string', value: 'FILE', description: 'append one JSON line per claim to FILE (created or emptied first)', example: 'verify.jsonl' },
    quiet: { type: 'boolean', description: 'no progress bar', example: '' },
  },
  example: 'deltastn verify --claim APP-E --runs 1000 --seed 3',
} as const satisfies CommandSpec;

/** `deltastn verify …`: parses the options and runs {@link verifyCommand}; returns the exit code. */
export function verifyMain(args: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  const { values: v } = parseCommand(VERIFY_SPEC, args, err);
  return verifyCommand({ claims: v.claim ?? [], runs: v.runs, seed: v.seed, json: v.json === true, wide: v.wide === true, log: v.log, progress: !v.json && !v.quiet && process.stderr.isTTY === true }, out, err);
}

/** Parsed options of `verify`. */
export interface VerifyOptions {
  claims: string[];
  runs: number;
  seed: number;
  json: boolean;
  /** Print whole statements and details (the table is otherwise cut to 100 columns). */
  wide?: boolean;
  log?: string;
  progress: boolean;
}

/** Picks the claims to run; unknown IDs are a typed error naming `--claim`. */
export function selectClaims(ids: readonly string[]): AnyClaim[] {
  if (ids.length === 0) return [...claims];
  return ids.map((id) => {
    const c = findClaim(id.toUpperCase());
    if (!c) throw new InvalidArgumentError('--claim', `one of ${claimIds().join(', ')}`, id);
    return c;
  });
}

function worst(report: ClaimReport): CheckSummary | undefined {
  return [...report.checks].sort((a, b) => b.worstRatio - a.worstRatio || b.worstError - a.worstError)[0];
}

function describeWorst(s: CheckSummary | undefined): string {
  if (!s) return '-';
  if (s.kind === 'exact' || s.worstTolerance === 0) return `exact (${s.name})`;
  return `${formatError(s.worstError)} vs ${formatError(s.worstTolerance)} (${s.name})`;
}

/** Runs the selected claims and writes the table or JSON to `out`; returns the exit code. */
export function verifyCommand(options: VerifyOptions, out: (s: string) => void, err: (s: string) => void): number {
  const selected = selectClaims(options.claims);
  // The log path is checked before any claim runs (a directory, /proc/x, a missing parent: exit 2, nothing written);
  // a write that fails later (a full disk, /dev/full) is the same typed error naming --log.
  if (options.log !== undefined) {
    checkOutputFile(options.log, '--log');
    truncateFile(options.log, '--log');
  }
  const reports: ClaimReport[] = [];
  const t0 = performance.now();
  for (const claim of selected) {
    const bar =
      options.progress && options.runs > 0
        ? new cliProgress.SingleBar({ format: `${claim.id.padEnd(6)} [{bar}] {value}/{total} cases`, stream: process.stderr, clearOnComplete: true }, cliProgress.Presets.shades_classic)
        : null;
    bar?.start(options.runs, 0);
    const report = runClaim(claim, { runs: options.runs, seed: options.seed, onCase: bar ? (done) => bar.update(done) : undefined });
    bar?.stop();
    reports.push(report);
    if (options.log !== undefined) appendLine(options.log, JSON.stringify({ time: new Date().toISOString(), seed: options.seed, ...report }), '--log');
  }
  const allHold = reports.every((r) => r.holds);
  const seconds = (performance.now() - t0) / 1000;
  if (options.json) {
    out(JSON.stringify({ runs: options.runs, seed: options.seed, allHold, seconds, claims: reports }, null, 2));
  } else {
    // Fits 100 columns (claim 6, statement 32, cases 10, worst 38, verdict 5, and the gaps); --wide prints all.
    const cut = (text: string, width: number): string => (options.wide || text.length <= width ? text : text.slice(0, width - 1) + '…');
    const rows = reports.map((r) => [r.id, cut(r.statement, 32), `${r.cases}+${r.referenceChecks}`, cut(describeWorst(worst(r)), 38), r.holds ? 'holds' : 'FAILS']);
    out(renderTable(['claim', 'statement', 'cases+refs', 'worst error vs tolerance', 'verdict'], rows));
    for (const r of reports) {
      for (const c of r.checks) if (c.failures > 0) err(`${r.id}: ${c.name}: ${c.failures}/${c.count} failed; first: ${c.firstFailure ?? ''}`);
      for (const e of r.errors) err(`${r.id}: threw on ${e}`);
    }
    out(`\n${reports.filter((r) => r.holds).length}/${reports.length} claims hold (${options.runs} random cases each, seed ${options.seed}, ${seconds.toFixed(1)} s)`);
  }
  return allHold ? 0 : 1;
}
