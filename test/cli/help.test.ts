/**
 * `deltastn <sub> --help` prints the subcommand's usage (every option, the defaults the help states, an example,
 * the exit codes) and exits 0; a subcommand that needs inputs, run bare, prints the same usage on stderr and exits
 * 2 instead of starting a default run (issue 13).
 */
import { describe, expect, test } from 'vitest';
import { main, usage } from '../../src/cli/main.js';

const SUBCOMMANDS = ['verify', 'theory', 'toy', 'tune', 'compare', 'search', 'report'] as const;

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, (s) => (out += s + '\n'), (s) => (err += s + '\n'));
  return { code, out, err };
}

describe('help', () => {
  test.each(SUBCOMMANDS)('%s --help and -h: usage with an example and the exit codes, exit 0, nothing on stderr', async (sub) => {
    for (const flag of ['--help', '-h']) {
      const r = await run([sub, flag]);
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      expect(r.out).toContain(`deltastn ${sub}`);
      expect(r.out).toContain('Example:');
      expect(r.out).toContain('Exit codes:');
      // Only this subcommand's block.
      for (const other of SUBCOMMANDS) if (other !== sub) expect(r.out).not.toContain(`  deltastn ${other} `);
    }
  });

  test('--help wins over other flags (even bad ones): it is read before the options are parsed', async () => {
    const r = await run(['tune', '--epochs', 'zero', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('--resume DIR');
  });

  test('every option that tune and search parse appears in their usage', () => {
    for (const flag of ['--model', '--dataset', '--method', '--epochs', '--hparams', '--resume', '--backend', '--data-dir', '--batch-size', '--train-size', '--width', '--warmup', '--lr', '--lr-hyper', '--dropconnect', '--lr-milestones', '--lr-gamma', '--patience']) {
      expect(usage('tune'), flag).toContain(flag);
    }
    for (const flag of ['--space', '--dataset', '--method', '--seeds', '--search-epochs', '--retrain-epochs', '--nodes', '--darts-scale', '--darts-xi', '--workers']) expect(usage('search'), flag).toContain(flag);
  });

  test.each(['theory', 'toy', 'tune', 'compare', 'search', 'report'])('%s without inputs: usage on stderr, exit 2, nothing run', async (sub) => {
    const r = await run([sub]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(`deltastn ${sub}`);
  });

  test('an unknown subcommand is still a typed error naming it', async () => {
    const r = await run(['tunez', '--help']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('tunez');
  });
});

describe('verify table width', () => {
  test('the table fits 100 columns; --wide prints whole statements', async () => {
    const narrow = await run(['verify', '--runs', '1', '--claim', 'THM-3']);
    expect(narrow.code).toBe(0);
    const lines = narrow.out.split('\n').filter((l) => l.length > 0);
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(100);
    const wide = await run(['verify', '--runs', '1', '--claim', 'THM-3', '--wide']);
    expect(wide.code).toBe(0);
    expect(Math.max(...wide.out.split('\n').map((l) => l.length))).toBeGreaterThan(100);
    expect(wide.out).not.toContain('…  ');
  });
});
