/**
 * The house's direction of dependency (README, Architecture) is enforced by the linter's no-restricted-imports
 * rules (eslint.config.js): an engine (bilevel, nn), the kernel (theory, linalg) or data importing a study, an
 * experiment, the report or the CLI fails the lint, and so does any module below the CLI importing it; the same
 * imports in their allowed direction pass. Run through ESLint's API on text placed at those paths.
 */
import { ESLint } from 'eslint';
import { describe, expect, test } from 'vitest';

const eslint = new ESLint();

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering lint rule', () => {
  test('upward imports from an engine, the kernel or data fail', async () => {
    for (const [file, spec] of [
      ['src/nn/x.ts', '../cli/tune.js'],
      ['src/nn/x.ts', '../tune/study.js'],
      ['src/bilevel/x.ts', '../report/plot.js'],
      ['src/bilevel/x.ts', '../experiments/ridge.js'],
      ['src/theory/obs1/x.ts', '../../tune/factory.js'],
      ['src/linalg/x.ts', '../cli/main.js'],
      ['src/data/x.ts', '../report/plot.js'],
      ['src/report/x.ts', '../tune/study.js'],
      ['src/report/x.ts', '../experiments/ridge.js'],
      // NAS (src/nas) is imported only by the CLI, studies and experiments, and imports none of them.
      ['src/nn/x.ts', '../nas/cell.js'],
      ['src/bilevel/x.ts', '../nas/problem.js'],
      ['src/theory/obs1/x.ts', '../../nas/space.js'],
      ['src/report/x.ts', '../nas/space.js'],
      ['src/nas/x.ts', '../tune/archSearch.js'],
      ['src/nas/x.ts', '../report/plot.js'],
      ['src/nas/x.ts', '../experiments/nas.js'],
      ['src/nas/x.ts', '../cli/search.js'],
    ] as const) {
      const msgs = await restricted(file, `import * as m from '${spec}';\nexport const z = m;\n`);
      expect(msgs, `${file} importing ${spec}`).toHaveLength(1);
      expect(msgs[0]).toMatch(/direction of dependency/);
    }
  });

  test('studies, experiments and the report may not import the CLI', async () => {
    for (const file of ['src/tune/x.ts', 'src/experiments/x.ts', 'src/report/x.ts']) {
      expect(await restricted(file, "import * as m from '../cli/tune.js';\nexport const z = m;\n")).toHaveLength(1);
    }
  });

  test('the allowed direction passes', async () => {
    for (const [file, spec] of [
      ['src/cli/x.ts', '../tune/factory.js'],
      ['src/tune/x.ts', '../nn/trainer.js'],
      ['src/experiments/x.ts', '../report/plot.js'],
      ['src/tune/x.ts', '../report/html.js'],
      ['src/experiments/x.ts', '../bilevel/methods.js'],
      ['src/nn/x.ts', '../theory/lin.js'],
      ['src/nas/x.ts', '../nn/layers.js'],
      ['src/nas/x.ts', '../bilevel/methods.js'],
      ['src/tune/x.ts', '../nas/genotype.js'],
      ['src/experiments/x.ts', '../nas/darts.js'],
      ['src/cli/x.ts', '../nas/space.js'],
    ] as const) {
      expect(await restricted(file, `import * as m from '${spec}';\nexport const z = m;\n`), `${file} importing ${spec}`).toEqual([]);
    }
  });
});
