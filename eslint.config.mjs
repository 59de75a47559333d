import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Everything of the extension, as an import path names it from anywhere under src/. */
const EXTENSION = [
  '**/extension',
  '**/commands/**',
  '**/views/**',
  '**/services/**',
  '**/ui/**',
  '**/schema/**',
  '**/walkthrough/**',
];
/** Every front end: the extension and the CLI. */
const FRONT_ENDS = [...EXTENSION, '**/cli/**', '**/cli'];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'src/engine/task/generated/**', 'node_modules/**', '.cache/**', 'test-results/**', '.sandbox/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      eqeqeq: ['error', 'smart'],
    },
  },
  // The layers (docs/architecture.md): the engine imports no front end; the CLI imports nothing of the
  // extension; the session services import no view or command; commands import no view.
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/engine is shared by the CLI and the extension: it must not import vscode.' }],
          patterns: [{ group: FRONT_ENDS, message: 'src/engine must not import a front end (the CLI or the extension).' }],
        },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts', 'src/cli.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'The CLI must not import vscode.' }],
          patterns: [{ group: EXTENSION, message: 'The CLI must not import the extension: share code through src/engine.' }],
        },
      ],
    },
  },
  {
    files: ['src/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/views/**', '**/commands/**', '**/cli/**'], message: 'A session service must not import a view, a command or the CLI: they use it.' }] },
      ],
    },
  },
  {
    files: ['src/commands/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/views/**', '**/cli/**'], message: 'A command must not import a view: reach its state through the session service (src/services/).' }] },
      ],
    },
  },
  {
    files: ['scripts/**/*.js', 'webpack.config.js', 'src/test/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
