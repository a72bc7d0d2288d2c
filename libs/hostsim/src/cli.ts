import { parseArgs } from 'node:util';
import type { Fleet, FleetOptions } from './fleet';
import { PROFILE_NAMES, isProfileName } from './profiles';
import { type HostSpec, HostSpecError, loadHostSpecFile } from './spec';

function loadSpec(path: string): HostSpec {
  try {
    return loadHostSpecFile(path);
  } catch (e) {
    if (e instanceof HostSpecError) throw new CliUsageError(`${path}: ${e.message}`);
    throw new CliUsageError(`${path}: ${(e as Error).message}`);
  }
}

export class CliUsageError extends Error {
  readonly code = 'CLI_USAGE';
}

export const USAGE = `usage: hostsim fleet --hosts N (--profile P[,P...] | --spec FILE.yaml|json) [--state-dir D] [--base-port PORT] [--bind ADDR] [--irqbalance-ms MS] [--json]
       hostsim profiles
profiles: ${PROFILE_NAMES.join(', ')}`;

export type CliCommand = { kind: 'fleet'; options: FleetOptions; json: boolean } | { kind: 'profiles' } | { kind: 'help' };

function positiveInt(name: string, v: string | undefined, min = 1): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new CliUsageError(`--${name} must be an integer >= ${min}`);
  return Number(v);
}

export function parseCli(argv: string[]): CliCommand {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') return { kind: 'help' };
  if (cmd === 'profiles') return { kind: 'profiles' };
  if (cmd !== 'fleet') throw new CliUsageError(`unknown command "${cmd}"`);
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        hosts: { type: 'string', default: '1' },
        profile: { type: 'string', default: 'dual-socket-sriov' },
        spec: { type: 'string' },
        'state-dir': { type: 'string', default: '.hostsim' },
        'base-port': { type: 'string' },
        bind: { type: 'string', default: '127.0.0.1' },
        'irqbalance-ms': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (e) {
    throw new CliUsageError((e as Error).message);
  }
  const specFile = values.spec;
  const profiles = specFile === undefined ? values.profile.split(',') : ['custom'];
  if (specFile === undefined)
    for (const p of profiles) if (!isProfileName(p)) throw new CliUsageError(`unknown profile "${p}" (known: ${PROFILE_NAMES.join(', ')})`);
  const count = positiveInt('hosts', values.hosts) ?? 1;
  const basePort = positiveInt('base-port', values['base-port']);
  if (basePort !== undefined && basePort + count - 1 > 65535) throw new CliUsageError('--base-port + --hosts exceeds 65535');
  return {
    kind: 'fleet',
    json: values.json,
    options: {
      count,
      profiles,
      ...(specFile === undefined ? {} : { spec: loadSpec(specFile) }),
      stateDir: values['state-dir'],
      basePort,
      bindAddress: values.bind,
      irqbalanceIntervalMs: positiveInt('irqbalance-ms', values['irqbalance-ms'], 10),
    },
  };
}

export interface FleetEntry {
  hostname: string;
  profile: string;
  address: string;
  port: number;
  user: string;
  clientKeyPath: string;
  hostKeyFingerprint: string;
  hostPublicKey: string;
}

export function describeFleet(fleet: Fleet, profiles: string[]): FleetEntry[] {
  return fleet.hosts.map((h, i) => ({
    hostname: h.hostname,
    profile: profiles[i % profiles.length],
    address: h.address,
    port: h.port,
    user: h.user,
    clientKeyPath: fleet.clientKey.privateKeyPath,
    hostKeyFingerprint: h.fingerprint,
    hostPublicKey: h.hostPublicKey,
  }));
}

export function formatFleet(entries: FleetEntry[], json: boolean): string {
  if (json) return `${JSON.stringify(entries, null, 2)}\n`;
  const lines = entries.map(
    (e) => `${e.hostname}  ${e.user}@${e.address} -p ${e.port}  key=${e.clientKeyPath}  ${e.hostKeyFingerprint}  (${e.profile})`,
  );
  return `${lines.join('\n')}\n`;
}
