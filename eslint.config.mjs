// ESLint for the library, its tests, benchmarks, examples and templates (typescript-eslint's
// recommended rules; formatting is Prettier's, so eslint-config-prettier turns style rules off).
// The JupyterLab extension (lab-extension/) has its own build and is linted there.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'lab-extension/', 'coverage/', '.venv/', '.jupyter-test/', 'templates/**/node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Unused parameters keep executor and callback signatures readable; an underscore marks them.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // require() stays for the package's own package.json; any other use (optional or lazily loaded modules) says why inline.
      '@typescript-eslint/no-require-imports': ['error', { allow: ['package\\.json$'] }],
      // Prettier wraps code at 160 columns; this catches what it cannot wrap (long comments), strings and templates aside.
      'max-len': ['error', { code: 160, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true }],
    },
  },
  {
    // Tests read JSON answers and IR documents loosely, and build hostile inputs (control characters) on purpose.
    files: ['**/*.test.ts', 'tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', 'no-regex-spaces': 'off', 'no-control-regex': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
