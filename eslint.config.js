import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'scratch/**', 'notebooks/**/dist/**', 'notebooks/dist/**', 'docs/api/**', 'out/**'] },
  js.configs.recommended,
  { files: ['bin/**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  // The house's direction (README, Architecture): cli → experiments · tune → report; experiments · tune → engines
  // (bilevel, nn, nas) → theory → linalg; nas → nn, bilevel, and only cli, studies and experiments import nas. An
  // import against it fails the lint.
  {
    files: ['src/bilevel/**/*.ts', 'src/nn/**/*.ts', 'src/theory/**/*.ts', 'src/linalg/**/*.ts', 'src/data/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../cli/*', '../../cli/*', '../tune/*', '../../tune/*', '../report/*', '../../report/*', '../experiments/*', '../../experiments/*', '../nas/*', '../../nas/*'], message: 'An engine or the kernel imports no study, experiment, report, NAS or CLI module (design: direction of dependency).' }] }],
    },
  },
  {
    // NAS (src/nas: search space, candidates, cells, genotypes, networks, the small exact problem) sits beside the
    // engines it builds on (nn, bilevel): it imports them, theory and linalg, never a study, experiment, report or CLI.
    files: ['src/nas/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../cli/*', '../../cli/*', '../tune/*', '../../tune/*', '../report/*', '../../report/*', '../experiments/*', '../../experiments/*'], message: 'NAS imports no study, experiment, report or CLI module (design: direction of dependency).' }] }],
    },
  },
  {
    files: ['src/tune/**/*.ts', 'src/experiments/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../cli/*', '../../cli/*'], message: 'Nothing below the CLI imports it (design: direction of dependency).' }] }],
    },
  },
  {
    // The report draws the data it is given: it imports no study, experiment or CLI module.
    files: ['src/report/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../cli/*', '../../cli/*', '../tune/*', '../../tune/*', '../experiments/*', '../../experiments/*', '../nas/*', '../../nas/*'], message: 'The report draws data it is given: it imports no study, experiment, NAS or CLI module (design: direction of dependency).' }] }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: {
      'no-restricted-globals': ['error', { name: 'process', message: 'Only src/cli may read process (design: no process.env outside cli).' }],
    },
  },
);
