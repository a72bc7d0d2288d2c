import { resolve } from 'node:path';
import type { CodegenConfig } from '@graphql-codegen/cli';

// The committed SDL is the only contract between the UI, the CLI and the API: no Nest or
// Prisma type ever reaches the browser bundle. Re-run after docs/api/schema.graphql
// changes; tsc then points at every screen the change affects.
const sdl = resolve(import.meta.dirname, '../../docs/api/schema.graphql');

const config: CodegenConfig = {
  schema: sdl,
  documents: ['graphql/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'src/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false, gqlTagName: 'gql' },
      config: {
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { DateTime: 'string', ID: 'string' },
        skipTypename: true,
        avoidOptionals: { field: true, inputValue: false, object: true },
      },
    },
  },
};

export default config;
