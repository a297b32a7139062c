import js from '@eslint/js'
import importPlugin from 'eslint-plugin-import'
import reactHooks from 'eslint-plugin-react-hooks'
import reactRefresh from 'eslint-plugin-react-refresh'
import globals from 'globals'
import tseslint from 'typescript-eslint'
import { fileURLToPath } from 'node:url'

/** Imports flow app → features → shared (components, hooks, lib); features never import each other. */
const noAppImports = { group: ['@/app', '@/app/*'], message: 'Only src/app may import the app layer.' }
const noFeatureImports = { group: ['@/features/*'], message: 'Shared code must not import features.' }
const noCrossFeature = {
  group: ['@/features/*', '../../*', '../../../*'],
  message: 'Features must not import other features (use relative imports within the feature, shared code via @/).',
}

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'playwright-report', 'test-results', 'src/lib/api/schema.d.ts'] },
  {
    files: ['**/*.{ts,tsx}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended, reactHooks.configs.flat['recommended-latest']],
    languageOptions: { ecmaVersion: 2022, globals: globals.browser },
    plugins: { 'react-refresh': reactRefresh },
    rules: {
      'react-refresh/only-export-components': ['warn', { allowConstantExport: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // No import cycles, through the `@/` alias too: what two modules share moves down into a third.
    // The rule skips type-only imports (erased at build time); keep those acyclic by hand.
    // disableScc: its shortcut fails with a resolver that leaves packages unresolved.
    files: ['src/**/*.{ts,tsx}'],
    plugins: { import: importPlugin },
    settings: {
      'import/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import/resolver': { [fileURLToPath(new URL('./scripts/eslint-import-resolver.cjs', import.meta.url))]: {} },
    },
    rules: { 'import/no-cycle': ['error', { disableScc: true }] },
  },
  {
    files: ['src/components/**', 'src/hooks/**', 'src/lib/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noAppImports, noFeatureImports] }] },
  },
  {
    // Providers live with their hooks and helpers (auth, i18n); fast refresh reloads them fully.
    files: ['src/lib/**/*.tsx'],
    rules: { 'react-refresh/only-export-components': 'off' },
  },
  {
    files: ['src/features/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noAppImports, noCrossFeature] }] },
  },
  {
    // Specs take `test` from e2e/fixtures.ts, which fails a test on any CSP violation.
    files: ['e2e/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@playwright/test', importNames: ['test'], message: "Import test from './fixtures' (it checks the CSP)." }] },
      ],
    },
  },
  {
    files: ['e2e/**', '*.config.{ts,js}'],
    languageOptions: { globals: globals.node },
    rules: { 'react-hooks/rules-of-hooks': 'off' },
  },
)
