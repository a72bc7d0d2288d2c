import 'reflect-metadata';
import type { Server } from 'node:http';
import { buildApp } from './bootstrap';
import { ConfigError, loadApiConfig } from './config';

async function main(): Promise<void> {
  let config;
  try {
    config = loadApiConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const { app } = await buildApp({ config });
  await app.listen(config.PORT, config.HOST);
  // Node closes an idle keep-alive connection after 5 s; a pooled client (undici, a load balancer)
  // that reuses it at that moment gets "other side closed". Outlive the usual 60 s idle timeouts.
  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const url = await app.getUrl();
  process.stdout.write(
    JSON.stringify({ msg: 'netpin api listening', url, graphql: `${url}/graphql`, rest: `${url}/api/v1`, docs: `${url}/api/docs` }) + '\n',
  );
  let stopping = false;
  // a terminal's Ctrl-C reaches us and the stack launcher, which then sends SIGTERM: close once
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(JSON.stringify({ msg: 'shutting down', signal }) + '\n');
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e: unknown) => {
  process.stderr.write(`netpin api failed to start: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
