import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';
import regexp from 'eslint-plugin-regexp';

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  regexp.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Input is hostile: no RegExp may backtrack super-linearly, wherever it runs (STYLE.md).
      'regexp/no-super-linear-backtracking': ['error', { report: 'potential' }],
      'regexp/no-super-linear-move': ['error', { report: 'potential', ignorePartial: false }],
      // Name rules stay written as the Prometheus spec writes them ([a-zA-Z_:][a-zA-Z0-9_:]*).
      'regexp/prefer-w': 'off',
      'regexp/use-ignore-case': 'off',
    },
  },
  globalIgnores(['.next/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'next-env.d.ts']),
]);
