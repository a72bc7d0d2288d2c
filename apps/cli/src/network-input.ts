import type { CreateNetworkInput, UpdateNetworkInput } from '@netpin/client';
import { MACVTAP_MODES, NATIVE_VLAN_MODES, NETWORK_KINDS, VLAN_PROTOCOLS } from '@netpin/contracts/enums';
import { UsageError, parseCount, type FlagValues } from './args';
import { choice } from './vm-input';

const str = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));

/** `--trunk 10,20,30`: whole numbers only; their range (1-4094) is the API's to judge, naming trunkVlans.N. */
function trunkOf(raw: string | undefined): number[] | undefined {
  if (raw === undefined) return undefined;
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) throw new UsageError(`--trunk: expected VLAN ids separated by commas, got "${raw}"`);
  return parts.map(Number);
}

/** The CreateNetworkInput of `networks create <name>`; the VLAN and MTU rules are the API's (its errors name the field). */
export function networkInputFromFlags(name: string | undefined, values: FlagValues): CreateNetworkInput {
  if (!name) throw new UsageError('networks create: a network name is required');
  const kind = choice('kind', values.kind, NETWORK_KINDS);
  if (!kind) throw new UsageError(`--kind is required (${NETWORK_KINDS.map((k) => k.toLowerCase().replace(/_/g, '-')).join('|')})`);
  const input: CreateNetworkInput = { name, kind };
  const set = <K extends keyof CreateNetworkInput>(k: K, v: CreateNetworkInput[K] | undefined) => {
    if (v !== undefined) input[k] = v;
  };
  set('bridge', str(values.bridge));
  set('physnet', str(values.physnet));
  set('vlan', parseCount('vlan', str(values.vlan)));
  set('vlanProtocol', choice('vlan-protocol', values['vlan-protocol'], VLAN_PROTOCOLS));
  set('trunkVlans', trunkOf(str(values.trunk)));
  set('nativeVlan', parseCount('native-vlan', str(values['native-vlan'])));
  set('nativeVlanMode', choice('native-mode', values['native-mode'], NATIVE_VLAN_MODES));
  set('macvtapMode', choice('macvtap-mode', values['macvtap-mode'], MACVTAP_MODES));
  set('mtu', parseCount('mtu', str(values.mtu)));
  return input;
}

/** `networks update <name> --mtu N|default`. */
export function networkUpdateFromFlags(name: string | undefined, values: FlagValues): UpdateNetworkInput {
  if (!name) throw new UsageError('networks update: a network name is required');
  const raw = str(values.mtu);
  if (raw === undefined) throw new UsageError("networks update: --mtu is required (a number, or 'default')");
  return { network: name, mtu: raw === 'default' ? null : (parseCount('mtu', raw) ?? null) };
}
