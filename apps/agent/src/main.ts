import { hostname } from 'node:os';
import { createAgent } from './agent';
import { ConfigError, loadConfig } from './config';
import { MissingHandlerError } from './handlers';
import { startMetricsServer, type MetricsServer } from './metrics-server';

/** Process entry: config from the environment, then consume until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, `${hostname()}-${process.pid}`);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`netpin-agent: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  let agent;
  try {
    agent = createAgent(config);
  } catch (e) {
    if (e instanceof MissingHandlerError) {
      process.stderr.write(`netpin-agent: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  let stopping = false;
  let metricsServer: MetricsServer | null = null;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`netpin-agent: ${signal}: finishing running jobs\n`);
    Promise.all([agent.close(), metricsServer?.close()]).then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`netpin-agent: shutdown failed: ${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  await agent.start();
  if (config.metricsPort > 0) {
    try {
      metricsServer = await startMetricsServer(agent.metrics.registry, { host: config.metricsHost, port: config.metricsPort });
      process.stderr.write(`netpin-agent: metrics at ${metricsServer.url}\n`);
    } catch (e) {
      // jobs matter more than their metrics: keep working, and say loudly why there are none
      process.stderr.write(
        `netpin-agent: cannot serve metrics on ${config.metricsHost}:${config.metricsPort} (NETPIN_AGENT_METRICS_PORT): ${e instanceof Error ? e.message : String(e)}\n`,
      );
    }
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`netpin-agent: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
