/**
 * `deltastn export --study NAME --storage URL --out DIR`: writes the study's config.json, trials.jsonl,
 * trials.csv, summary.json, table.md and plots into DIR, which `deltastn report DIR` then reads (the offline page
 * cannot reach a database).
 */
import { exportStudy, openStore } from '../tune/store/index.js';
import { parseCommand, type CommandSpec } from './options.js';

/** The options of `deltastn export`. */
export const EXPORT_SPEC = {
  name: 'export',
  summary: 'Write a study of a store into DIR (config.json, trials.jsonl, trials.csv, summary.json, table.md, SVG plots), for `deltastn report DIR` and the runs notebook.',
  headline: ['study', 'storage', 'out'],
  options: {
    study: { type: 'string', value: 'NAME', required: true, description: 'the study\u2019s name in the store', example: 'cmp-mlp' },
    storage: { type: 'string', value: 'URL', required: true, description: 'sqlite:PATH (a study.db) or postgresql://user:password@host:port/database', example: 'postgresql://deltastn@127.0.0.1:5432/deltastn' },
    out: { type: 'string', value: 'DIR', required: true, description: 'the directory to write (created when absent)', example: 'out/cmp-export' },
  },
  example: 'deltastn export --study cmp-mlp --storage postgresql://deltastn@127.0.0.1:5432/deltastn --out out/cmp-export',
} as const satisfies CommandSpec;

/** `deltastn export …`: writes the study's files into DIR and prints what it wrote. Exit code 0. */
export async function exportCommand(args: readonly string[], out: (s: string) => void): Promise<number> {
  const { values: v } = parseCommand(EXPORT_SPEC, args);
  const [study, storage, dir] = [v.study as string, v.storage as string, v.out as string];
  const store = await openStore(storage, null, '--storage');
  try {
    const r = await exportStudy(store, study, dir);
    out(`${r.dir}: ${r.records} record(s) of study ${study} from ${store.location} (config.json, trials.jsonl, trials.csv, summary.json, table.md, plots)${r.summary.complete ? '' : '; the study is not complete'}. HTML: deltastn report ${r.dir}`);
    return 0;
  } finally {
    await store.close();
  }
}
