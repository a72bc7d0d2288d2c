// Prisma 7 CLI configuration (prisma migrate / db / generate read this, the app does not).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'prisma/config';

// This machine cannot download Prisma's native schema-engine binary, so unless told otherwise
// the CLI runs our WASM stand-in (docs/prisma-engine.md). tools/prisma.cjs sets the same
// variable; doing it here as well makes a plain `npx prisma ...` work. To use the native
// engine instead, set PRISMA_SCHEMA_ENGINE_BINARY yourself or NETPIN_PRISMA_NATIVE_ENGINE=1.
const standIn = join(__dirname, 'tools/prisma-engine/schema-engine.cjs');
if (!process.env.PRISMA_SCHEMA_ENGINE_BINARY && !process.env.NETPIN_PRISMA_NATIVE_ENGINE && existsSync(standIn)) {
  process.env.PRISMA_SCHEMA_ENGINE_BINARY = standIn;
}

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: {
    url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/netpin',
    ...(process.env.SHADOW_DATABASE_URL ? { shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL } : {}),
  },
});
