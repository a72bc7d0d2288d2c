import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildApp } from '../apps/api/src/bootstrap';
import { loadApiConfig } from '../apps/api/src/config';

/**
 * Writes the committed API documents from the code: docs/api/schema.graphql (code-first
 * SDL) and docs/api/openapi.json. CI regenerates them and fails if git sees a difference.
 * Nothing connects to a database or Redis here: both clients connect lazily.
 */
async function main(): Promise<void> {
  const root = resolve(__dirname, '..');
  const config = loadApiConfig({ DATABASE_URL: 'postgresql://unused@127.0.0.1:1/unused', LOG_LEVEL: 'silent' });
  const { app, openapi } = await buildApp({ config, schemaFile: resolve(root, 'docs/api/schema.graphql'), background: false });
  await app.init();
  writeFileSync(resolve(root, 'docs/api/openapi.json'), JSON.stringify(openapi, null, 2) + '\n');
  await app.close();
  process.stdout.write('wrote docs/api/schema.graphql and docs/api/openapi.json\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
