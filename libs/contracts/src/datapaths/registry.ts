import { DATAPATHS, type Datapath, type InterfaceConnection, type NetworkKind } from '../enums';
import { SETUPS_BEYOND_APPLY, type DatapathDefinition } from './definition';
import { e1000 } from './e1000';
import { rtl8139 } from './rtl8139';
import { sriov } from './sriov';
import { vdpa } from './vdpa';
import { vhostBridge } from './vhost-bridge';
import { vhostMacvtap } from './vhost-macvtap';
import { vhostOvs } from './vhost-ovs';
import { vhostUser } from './vhost-user';
import { virtioUserspace } from './virtio-userspace';

/**
 * Every datapath, one module each. The mapped type makes a datapath added to DATAPATHS
 * fail to compile here until its module exists (docs/placement.md "Adding a datapath").
 */
export const DATAPATH_REGISTRY = {
  SRIOV: sriov,
  VDPA: vdpa,
  VHOST_USER: vhostUser,
  VHOST_MACVTAP: vhostMacvtap,
  VHOST_BRIDGE: vhostBridge,
  VHOST_OVS: vhostOvs,
  VIRTIO_USERSPACE: virtioUserspace,
  E1000: e1000,
  RTL8139: rtl8139,
} as const satisfies { readonly [D in Datapath]: DatapathDefinition<D, string> };

/** Reason codes that belong to exactly one datapath (the keys of its `reasons`). */
export type DatapathReasonCode = { [D in Datapath]: keyof (typeof DATAPATH_REGISTRY)[D]['reasons'] & string }[Datapath];

/** A datapath as code that handles every datapath sees it (its descriptions are in REASON_DESCRIPTIONS). */
export type RegisteredDatapath = Omit<DatapathDefinition<Datapath, DatapathReasonCode>, 'reasons'>;

export function datapathDefinition(d: Datapath): RegisteredDatapath {
  return DATAPATH_REGISTRY[d];
}

/** Whether the agent can set this datapath's interface up outside vm.apply (hot-plug, a migration's target). */
export function setUpBeyondApply(d: Datapath): boolean {
  return SETUPS_BEYOND_APPLY.has(DATAPATH_REGISTRY[d].hostSetup);
}

/** Fastest first. */
export const DATAPATHS_BY_RANK: readonly Datapath[] = [...DATAPATHS].sort((a, b) => DATAPATH_REGISTRY[b].rank - DATAPATH_REGISTRY[a].rank);

/** What AUTO tries, best first. */
export const AUTO_ORDER: readonly Datapath[] = DATAPATHS_BY_RANK.filter((d) => DATAPATH_REGISTRY[d].auto);

export const MAX_DATAPATH_RANK = Math.max(...DATAPATHS.map((d) => DATAPATH_REGISTRY[d].rank));

/** Datapaths a network kind can carry, fastest first. */
export function datapathsForKind(kind: NetworkKind): readonly Datapath[] {
  return DATAPATHS_BY_RANK.filter((d) => DATAPATH_REGISTRY[d].connections[kind] !== undefined);
}

/** How an interface of datapath `d` on a network of `kind` is connected; null when it cannot be. */
export function connectionFor(kind: NetworkKind, d: Datapath): InterfaceConnection | null {
  return DATAPATH_REGISTRY[d].connections[kind] ?? null;
}

/** `sriov`, `SRIOV`, `vhost_bridge`, `bridge` ... -> the datapath; undefined when unknown. */
export function datapathForAlias(alias: string): Datapath | undefined {
  const a = alias.toLowerCase().replace(/_/g, '-');
  return DATAPATHS.find((d) => (DATAPATH_REGISTRY[d].cli.aliases as readonly string[]).includes(a));
}

/** Every reason code some datapath owns, with its description. */
export const DATAPATH_REASONS: Readonly<Record<DatapathReasonCode, string>> = Object.assign(
  {},
  ...DATAPATHS.map((d): Readonly<Record<string, string>> => DATAPATH_REGISTRY[d].reasons),
);
