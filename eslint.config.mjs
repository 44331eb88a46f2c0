// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

const PRODUCT = [
  'activities',
  'api',
  'box',
  'box-sim',
  'common',
  'config',
  'domain',
  'policies',
  'store',
  'telemetry',
  'workers',
  'workflows',
];
const all = (names) => names.map((n) => `./${n}`);
// scripts/ has its own zone below (entry points may use the launcher watchdog).
const except = (...names) => all([...PRODUCT, 'bench', 'test'].filter((n) => !names.includes(n)));
const TOOLING = all(['bench', 'test']);
/** Who may import whom; each zone: files in `target` may not import from `from`. */
const LAYER_ZONES = [
  { target: './domain', from: except('domain'), message: 'domain/ imports nothing of ours.' },
  { target: './common', from: except('common', 'domain'), message: 'common/ holds shared constants only.' },
  {
    target: './workflows',
    from: except('workflows', 'domain', 'common'),
    message: 'Workflows use domain/, common/ and their own modules only (activities by interface).',
  },
  { target: './policies', from: except('policies', 'domain'), message: 'policies/ is a pure library.' },
  {
    target: './store',
    from: except('store', 'domain', 'policies'),
    message: 'store/ never imports workflows or above.',
  },
  {
    target: './config',
    from: except('config', 'domain'),
    message: 'config/ is read by everyone and reads no one.',
  },
  {
    target: './telemetry',
    from: except('telemetry', 'domain', 'config'),
    message: 'telemetry/ (logger, metrics) is used by every process layer and uses none of them.',
  },
  {
    target: './box',
    from: except('box', 'config', 'domain', 'store', 'telemetry'),
    message: 'box/ talks to Box for activities.',
  },
  {
    target: './activities',
    from: all(['api', 'workers', 'box-sim', 'bench', 'test']),
    message: 'Activities never import their composition root (workers/) or the API.',
  },
  {
    target: './api',
    from: all(['activities', 'workers', 'box-sim', 'bench', 'test']),
    message: 'The API composes; it does not run activities.',
  },
  { target: './box-sim', from: except('box-sim'), message: 'box-sim stands alone: it is Box.' },
  { target: all(PRODUCT), from: TOOLING, message: 'Product code never imports benchmarks or tests.' },
  {
    target: all(PRODUCT),
    from: './scripts',
    except: ['./launcher-watchdog.ts'],
    message: 'Product code never imports scripts/ (entry points may use the launcher watchdog only).',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.build/**', '.tools/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.mjs', '*.js', 'scripts/*.mjs', 'test/fixtures/*/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    // Resolve our extensionless TypeScript imports, so the import rules see real files.
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.json'] })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
      // The layers (docs/architecture.md): imports point down, never up.
      'import-x/no-restricted-paths': ['error', { zones: LAYER_ZONES }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        module: 'writable',
        require: 'readonly',
      },
    },
  },
  {
    // Workflow code must be deterministic: no Node built-ins, no wall clock, no randomness.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins,
          patterns: [
            { group: ['../activities/*', '../store/*', '../api/*', '../box/*'], allowTypeImports: true },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'fetch', 'setInterval', 'setImmediate', 'require'],
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message: 'Use uuid4() or a seeded value: workflow code must be deterministic.',
        },
      ],
    },
  },
  {
    // Tests, benchmarks and the demo read JSON answers of our own API.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/demo*.ts'],
    // Tests read JSON responses: `any` there is the honest type.
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
