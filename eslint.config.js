import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-bench/**',
      'coverage/**',
      'node_modules/**',
      'bench/results/**',
      'test-output/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // Layering (docs/architecture.md): only the HTTP front end (src/http) and the server entry point
  // (src/server.ts) may import src/http; every other module under src/ and schemas/ sits below it.
  {
    files: ['src/**/*.ts', 'schemas/**/*.ts'],
    ignores: ['src/http/**', 'src/server.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\.?/)+(src/)?http/',
              message:
                'Only src/http and src/server.ts import the HTTP layer; put shared code in the application layer (src/graphs, src/pipeline, src/generator, src/config, src/errors.ts) instead.',
            },
          ],
        },
      ],
    },
  },
  // The engine is pure: no I/O, no Node built-ins, no service libraries, nothing outside src/scm but
  // the graph file format (schemas/graph.ts). Its libraries: mathjs, graphology, zod.
  {
    files: ['src/scm/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: builtinModules.map((name) => ({
            name,
            message: 'src/scm is pure: no Node built-ins (no I/O); do it in the layer that calls the engine.',
          })),
          patterns: [
            {
              regex: '^node:',
              message:
                'src/scm is pure: no Node built-ins (no I/O); do it in the layer that calls the engine.',
            },
            {
              regex: '^\\.\\./(?!\\.\\./schemas/graph\\.js$)',
              message:
                'src/scm imports nothing outside src/scm but the graph file format (schemas/graph.ts).',
            },
            {
              regex: '^(fastify|@fastify/|openai|pino|better-sqlite3|ioredis|bullmq|prom-client)',
              message: 'src/scm is pure: no service libraries.',
            },
          ],
        },
      ],
    },
  },
  // The playground page's scripts run in the browser (plain ES modules, no build step).
  { files: ['public/**/*.js'], languageOptions: { globals: { ...globals.browser } } },
);
