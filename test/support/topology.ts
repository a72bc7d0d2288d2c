/**
 * The shape of the stack the multi-process tests start. By default (`single`) they run as
 * they always did, on the machine's Redis. With NETPIN_TEST_TOPOLOGY=cluster (`npm run
 * test:cluster`) the run's Redis is a 3-master Redis Cluster on localhost that
 * global-setup.ts starts and removes, and the process tests start 3 API processes and 3
 * agents against it and the one PostgreSQL.
 */
export type TopologyName = 'single' | 'cluster';

export interface Topology {
  name: TopologyName;
  /** API processes a test that races APIs starts. */
  apis: number;
  /** Agent processes a test that shares work between agents starts. */
  agents: number;
  /**
   * Factor for the tests' time limits: six processes on the cores that ran three take longer
   * (nothing is asserted about time; the limits only say when to give up).
   */
  slow: number;
}

export function topologyName(): TopologyName {
  const v = process.env.NETPIN_TEST_TOPOLOGY ?? 'single';
  if (v !== 'single' && v !== 'cluster') throw new Error(`NETPIN_TEST_TOPOLOGY must be single or cluster, got "${v}"`);
  return v;
}

/** `single` gives each test its own defaults (how many APIs and agents it always ran). */
export function topology(singleDefaults: { apis: number; agents: number }): Topology {
  const name = topologyName();
  return name === 'cluster' ? { name, apis: 3, agents: 3, slow: 2.5 } : { name, ...singleDefaults, slow: 1 };
}
