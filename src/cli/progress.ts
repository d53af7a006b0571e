/**
 * One progress display for the long commands (`tune`, `compare`, `search`), on stderr: the overall job (units
 * done of the total: epochs, trials or runs) and the current run (its steps), each with the time elapsed and the
 * time left, and the current validation loss.
 *
 * - On a terminal: two bars (cli-progress), redrawn in place and cleared at the end.
 * - Otherwise (a pipe, a file, CI): a plain line every {@link ProgressOptions.intervalSeconds} seconds (default
 *   10) while a run goes on, and one at the end of each unit (epoch, trial, run):
 *   `progress: 1.50/3 epochs (50.0%), elapsed 12s, left ~12s | epoch 2/3: step 5/10, elapsed 2s, left ~2s | val loss 0.4213`
 * - `quiet`: nothing at all.
 *
 * Time left ({@link etaSeconds}) is the measured rate of this call extrapolated: with `p` units of progress
 * made in `t` seconds since the display started and `r` units left, ETA = r · t / p. Work found done before
 * (a resumed run) counts towards the total but not towards the rate. Progress within a unit is its fraction of
 * steps, so the overall ETA moves during a long epoch instead of only at its end.
 *
 * The display never starts a timer (a periodic line is written from the calls that report progress), so it
 * keeps no process alive and needs no cleanup but {@link ProgressDisplay.stop} for the terminal bars.
 */
import cliProgress from 'cli-progress';

/**
 * Seconds left at a measured rate: `remaining · elapsedSeconds / done` for `done` units of progress made in
 * `elapsedSeconds`; 0 when nothing remains; null when no rate is measured yet (`done` ≤ 0 or no time elapsed)
 * or an input is not finite.
 */
export function etaSeconds(done: number, remaining: number, elapsedSeconds: number): number | null {
  if (![done, remaining, elapsedSeconds].every(Number.isFinite)) return null;
  if (remaining <= 0) return 0;
  if (done <= 0 || elapsedSeconds <= 0) return null;
  return (remaining * elapsedSeconds) / done;
}

/** A duration for people: `42s`, `3m05s`, `2h07m`; `?` when unknown (null). Rounded to the second. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Options of a {@link ProgressDisplay}. */
export interface ProgressOptions {
  /** The overall unit, plural (`epochs`, `trials`, `runs`). */
  unit: string;
  /** Where a plain line goes (default: stderr, one line each; the CLI passes its `err`). */
  line?: (text: string) => void;
  /** Where the terminal bars are drawn (default process.stderr). */
  stream?: NodeJS.WriteStream;
  /** Bars (true) or plain lines (false); default: whether stderr is a terminal. */
  tty?: boolean;
  /** Show nothing. */
  quiet?: boolean;
  /** Seconds between two plain lines during a run (default 10). */
  intervalSeconds?: number;
  /** The clock, in milliseconds (default performance.now; tests pass their own). */
  now?: () => number;
}

/** What one plain line or one redraw shows: everything the display knows at a moment. */
export interface ProgressSnapshot {
  /** Units of the whole job: finished (plus the current one's fraction), and the total. */
  overallDone: number;
  overallTotal: number;
  overallElapsed: number;
  overallLeft: number | null;
  /** The current run: its label (`epoch 2/3`), steps done and total, elapsed and left; null between runs. */
  run: { label: string; done: number; total: number; elapsed: number; left: number | null; stepName: string } | null;
  valLoss: number | null;
}

/** The plain (non-terminal) line of a snapshot; `unit` is the overall unit. */
export function formatProgressLine(s: ProgressSnapshot, unit: string): string {
  const pct = s.overallTotal > 0 ? (100 * s.overallDone) / s.overallTotal : 0;
  const done = Number.isInteger(s.overallDone) ? String(s.overallDone) : s.overallDone.toFixed(2);
  const parts = [`progress: ${done}/${s.overallTotal} ${unit} (${pct.toFixed(1)}%), elapsed ${formatDuration(s.overallElapsed)}, left ~${formatDuration(s.overallLeft)}`];
  if (s.run) parts.push(`${s.run.label}: ${s.run.stepName} ${s.run.done}/${s.run.total}, elapsed ${formatDuration(s.run.elapsed)}, left ~${formatDuration(s.run.left)}`);
  if (s.valLoss !== null) parts.push(`val loss ${s.valLoss.toFixed(4)}`);
  return parts.join(' | ');
}

/**
 * The display. Call {@link start} with the total (and what was done before), {@link beginRun} / {@link step} /
 * {@link endRun} for each unit, {@link setValLoss} when a validation loss is known, and {@link stop} at the end.
 */
export class ProgressDisplay {
  private readonly unit: string;
  private readonly line: (text: string) => void;
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly quiet: boolean;
  private readonly interval: number;
  private readonly now: () => number;
  private total = 0;
  private doneBefore = 0;
  private finished = 0;
  private t0 = 0;
  private lastLine = 0;
  private run: { label: string; done: number; total: number; t0: number; stepName: string } | null = null;
  private valLoss: number | null = null;
  private bars: { multi: cliProgress.MultiBar; overall: cliProgress.SingleBar; current: cliProgress.SingleBar | null } | null = null;

  constructor(options: ProgressOptions) {
    this.unit = options.unit;
    this.stream = options.stream ?? process.stderr;
    this.line = options.line ?? ((text) => process.stderr.write(text + '\n'));
    this.tty = options.tty ?? process.stderr.isTTY === true;
    this.quiet = options.quiet === true;
    this.interval = (options.intervalSeconds ?? 10) * 1000;
    this.now = options.now ?? (() => performance.now());
  }

  /** The job has `total` units, `doneBefore` of them finished by an earlier call (a resume). */
  start(total: number, doneBefore = 0): void {
    this.total = total;
    this.doneBefore = doneBefore;
    this.finished = doneBefore;
    this.t0 = this.now();
    this.lastLine = this.t0;
    if (this.quiet || !this.tty) return;
    const multi = new cliProgress.MultiBar(
      { stream: this.stream, clearOnComplete: true, hideCursor: true, format: '{name} [{bar}] {progress} | elapsed {elapsed} | left {left}{extra}', autopadding: true },
      cliProgress.Presets.shades_classic,
    );
    this.bars = { multi, overall: multi.create(Math.max(total, 1e-9), doneBefore, this.payload('overall')), current: null };
  }

  /**
   * A run (an epoch, a trial) of `steps` steps begins; `label` names it (`epoch 2/3`, `delta-stn seed 0`) and
   * `stepName` its steps (`step`; a study's trial counts epochs); `elapsedSeconds`: how long it has already been
   * running (a trial of another worker thread that the display turns to).
   */
  beginRun(label: string, steps: number, stepName = 'step', elapsedSeconds = 0): void {
    this.run = { label, done: 0, total: steps, t0: this.now() - 1000 * elapsedSeconds, stepName };
    if (this.bars) {
      this.bars.current?.stop();
      if (this.bars.current) this.bars.multi.remove(this.bars.current);
      this.bars.current = this.bars.multi.create(Math.max(steps, 1e-9), 0, this.payload('current'));
    }
  }

  /** `done` of the current run's steps are finished (with `total` when it became known only now). */
  step(done: number, total?: number): void {
    if (!this.run) return;
    this.run.done = done;
    if (total !== undefined) this.run.total = total;
    this.refresh(false);
  }

  /** The current validation loss (shown until the next one). */
  setValLoss(loss: number | null | undefined): void {
    if (typeof loss === 'number' && Number.isFinite(loss)) this.valLoss = loss;
  }

  /** The label of the run shown now (null between runs). */
  get runLabel(): string | null {
    return this.run?.label ?? null;
  }

  /**
   * A unit is finished (`units`, default 1, count towards the total); a plain line is written. The run shown ends
   * too, unless `label` names another run (with parallel workers, the shown run goes on).
   */
  endRun(valLoss?: number | null, units = 1, label?: string): void {
    this.setValLoss(valLoss);
    this.finished += units;
    if (label === undefined || this.run?.label === label) this.run = null;
    this.refresh(true);
  }

  /** What the display shows now. */
  snapshot(): ProgressSnapshot {
    const t = this.now();
    const fraction = this.run && this.run.total > 0 ? Math.min(1, this.run.done / this.run.total) : 0;
    const overallDone = Math.min(this.total, this.finished + (this.run ? fraction : 0));
    const elapsed = (t - this.t0) / 1000;
    const run = this.run
      ? { label: this.run.label, done: this.run.done, total: this.run.total, elapsed: (t - this.run.t0) / 1000, left: etaSeconds(this.run.done, this.run.total - this.run.done, (t - this.run.t0) / 1000), stepName: this.run.stepName }
      : null;
    return { overallDone, overallTotal: this.total, overallElapsed: elapsed, overallLeft: etaSeconds(overallDone - this.doneBefore, this.total - overallDone, elapsed), run, valLoss: this.valLoss };
  }

  /** Writes an informational line (above the bars on a terminal); nothing when quiet. */
  log(text: string): void {
    if (this.quiet) return;
    if (this.bars) {
      this.bars.multi.log(text + '\n');
      this.bars.multi.update(); // now, not at the next redraw of the timer
    }
    else this.line(text);
  }

  /** Ends the display (clears the terminal bars). */
  stop(): void {
    if (this.bars) {
      this.bars.multi.stop();
      this.bars = null;
    }
  }

  private payload(which: 'overall' | 'current'): Record<string, string> {
    const s = this.snapshot();
    if (which === 'overall') {
      const done = Number.isInteger(s.overallDone) ? String(s.overallDone) : s.overallDone.toFixed(1);
      return { name: 'overall', progress: `${done}/${s.overallTotal} ${this.unit}`, elapsed: formatDuration(s.overallElapsed), left: formatDuration(s.overallLeft), extra: s.valLoss === null ? '' : ` | val loss ${s.valLoss.toFixed(4)}` };
    }
    const r = s.run;
    return { name: r ? r.label : '', progress: r ? `${r.stepName} ${r.done}/${r.total}` : '', elapsed: formatDuration(r?.elapsed ?? null), left: formatDuration(r?.left ?? null), extra: '' };
  }

  private refresh(unitEnded: boolean): void {
    if (this.quiet) return;
    if (this.bars) {
      const s = this.snapshot();
      this.bars.overall.update(s.overallDone, this.payload('overall'));
      if (this.bars.current && s.run) this.bars.current.update(s.run.done, this.payload('current'));
      return;
    }
    const t = this.now();
    if (!unitEnded && t - this.lastLine < this.interval) return;
    this.lastLine = t;
    this.line(formatProgressLine(this.snapshot(), this.unit));
  }
}
