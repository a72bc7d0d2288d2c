import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '@netpin/hostsim';
// Integration tests run the real agent in-process; apps have no import alias.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createAgent, type Agent } from '../../apps/agent/src/agent';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadConfig } from '../../apps/agent/src/config';
import { GqlClient, setupFleet, type FleetHostEntry } from '@netpin/client';
import { startApi, type TestApi } from './api';
import { retireOtherHosts } from './seed';

export interface Cluster {
  api: TestApi;
  client: GqlClient;
  fleet: Fleet;
  agents: Agent[];
  stateDir: string;
  entries: FleetHostEntry[];
  stop(): Promise<void>;
}

/**
 * The real stack in one process: hostsim hosts over SSH, agent(s) on the run's Redis
 * prefix, and the API on the run's database, with the fleet registered, discovered and
 * wired through the public API.
 */
export async function startCluster(opts: {
  profiles: string[];
  count?: number;
  agents?: number;
  vfsPerPf?: number;
  namePrefix: string;
  /** Agent settings by their environment variable (NETPIN_AGENT_JOB_LOCK_MS...), as an operator sets them. */
  agentEnv?: Record<string, string>;
}): Promise<Cluster> {
  const stateDir = mkdtempSync(join(tmpdir(), 'netpin-cluster-'));
  const fleet = await startFleet({
    count: opts.count ?? opts.profiles.length,
    profiles: opts.profiles,
    stateDir,
    hostnamePrefix: opts.namePrefix,
  });
  const config = loadConfig(
    {
      REDIS_URL: process.env.REDIS_URL,
      NETPIN_QUEUE_PREFIX: process.env.NETPIN_QUEUE_PREFIX,
      NETPIN_AGENT_KEY_DIR: stateDir,
      LOG_LEVEL: 'silent',
      // "secret:" credentials: the encrypted store in the run's database
      DATABASE_URL: process.env.DATABASE_URL,
      NETPIN_MASTER_KEY: process.env.NETPIN_MASTER_KEY,
      ...opts.agentEnv,
    },
    'test-agent',
  );
  const agents: Agent[] = [];
  for (let i = 0; i < (opts.agents ?? 1); i++) {
    const a = createAgent({ ...config, agentId: `test-agent-${i}` });
    await a.start();
    agents.push(a);
  }
  await retireOtherHosts();
  const api = await startApi();
  const client = new GqlClient(api.url);
  const entries = fleet.hosts.map((h) => ({
    name: h.hostname,
    address: '127.0.0.1',
    port: h.port,
    user: h.user,
    fingerprint: h.fingerprint,
    credentialRef: 'file:client_ed25519',
  }));
  await setupFleet(client, entries, { vfsPerPf: opts.vfsPerPf });
  return {
    api,
    client,
    fleet,
    agents,
    stateDir,
    entries,
    async stop() {
      // a file may start another fleet after this one: leave these hosts where no later placement picks them
      for (const h of entries) {
        await client
          .request(`mutation ($id: ID!) { setHostMaintenance(id: $id, input: { enabled: true, reason: "test cluster stopped" }) { id } }`, {
            id: (await client.request<{ host: { id: string } }>(`query ($n: String) { host(name: $n) { id } }`, { n: h.name })).host.id,
          })
          .catch(() => undefined);
      }
      await api.close();
      await Promise.all(agents.map((a) => a.close()));
      await fleet.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
