import { type ClientKey, ensureClientKey } from './keys';
import { profileSpec } from './profiles';
import { type HostOptions, SimHost } from './sim-host';
import type { FaultConfig } from './faults';
import type { HostSpec } from './spec';

/** Start one simulated host from a spec or a built-in profile name. */
export async function startHost(spec: HostSpec | string, opts: HostOptions): Promise<SimHost> {
  const s = typeof spec === 'string' ? profileSpec(spec, spec) : spec;
  return SimHost.start(s, opts);
}

export interface FleetOptions {
  count: number;
  /** One profile for every host, or a list cycled over the hosts. */
  profile?: string;
  profiles?: string[];
  /** A custom host spec instead of profiles; hosts are named "<spec hostname>-NN". */
  spec?: HostSpec;
  stateDir: string;
  /** Extra keys allowed to log in; the fleet's own client key is always allowed. */
  authorizedKeys?: string[];
  /** Host i listens on basePort + i; ephemeral ports when absent. */
  basePort?: number;
  bindAddress?: string;
  hostnamePrefix?: string;
  faults?: FaultConfig;
  irqbalanceIntervalMs?: number;
}

export interface Fleet {
  hosts: SimHost[];
  clientKey: ClientKey;
  stop(): Promise<void>;
}

export async function startFleet(o: FleetOptions): Promise<Fleet> {
  const clientKey = ensureClientKey(o.stateDir);
  const profiles = o.profiles ?? [o.profile ?? 'dual-socket-sriov'];
  const hosts: SimHost[] = [];
  try {
    for (let i = 0; i < o.count; i++) {
      const nn = String(i + 1).padStart(2, '0');
      const spec = o.spec
        ? { ...o.spec, hostname: `${o.spec.hostname}-${nn}` }
        : profileSpec(profiles[i % profiles.length], `${o.hostnamePrefix ?? 'hv'}-${nn}`, i + 1);
      hosts.push(
        await SimHost.start(spec, {
          stateDir: o.stateDir,
          authorizedKeys: [clientKey.publicKey, ...(o.authorizedKeys ?? [])],
          bindAddress: o.bindAddress,
          port: o.basePort === undefined ? 0 : o.basePort + i,
          faults: o.faults,
          irqbalanceIntervalMs: o.irqbalanceIntervalMs,
          irqbalanceSeed: i + 1,
        }),
      );
    }
  } catch (e) {
    await Promise.all(hosts.map((h) => h.stop()));
    throw e;
  }
  return { hosts, clientKey, stop: async () => void (await Promise.all(hosts.map((h) => h.stop()))) };
}
