import { VF_KNOB_KEYWORDS, vfKnobRefusal, type SriovPolicySpec, type VfDefaults, type VfKnob } from '@netpin/contracts';

/**
 * SR-IOV policies, resolved: which policy owns each PF and what has to happen to bring the
 * PF to it. PURE: the API feeds it the inventory and the policies, and turns the decisions
 * into target rows and host.configureSriov jobs (docs/sriov-policies.md).
 *
 * The one rule that matters: the VF count of a PF only changes when none of its VFs is held
 * by a VM, because writing sriov_numvfs destroys every VF (the kernel goes through 0).
 */

export interface SriovVfView {
  index: number;
  spoofchk: boolean;
  trust: boolean;
  linkState: string;
  maxTxRateMbps: number;
  /** Name of the VM holding the VF; null when free. */
  heldBy: string | null;
}

export interface SriovPfView {
  id: string;
  name: string;
  driver: string | null;
  vendorId: string | null;
  deviceId: string | null;
  /** sriov_totalvfs; 0 = not SR-IOV capable (never matched). */
  totalVfs: number;
  /** sriov_numvfs as last discovered. */
  numVfs: number;
  /** Link speed; VF rates above it are refused by every driver. null when unknown (link down). */
  speedMbps: number | null;
  vfs: SriovVfView[];
}

export interface SriovHostView {
  id: string;
  name: string;
  labels: Record<string, string>;
  pfs: SriovPfView[];
}

export const SRIOV_ACTIONS = ['CONVERGED', 'CONFIGURE', 'BLOCKED', 'FAILED'] as const;
export type SriovAction = (typeof SRIOV_ACTIONS)[number];

export interface SriovDesired extends VfDefaults {
  numVfs: number;
}

export interface SriovDecision {
  hostId: string;
  hostName: string;
  pfId: string;
  pfName: string;
  /** The winning policy. */
  policy: string;
  /** Other policies that matched the PF and lost to the winner, best first. */
  outranked: string[];
  desired: SriovDesired;
  action: SriovAction;
  /** Why, for BLOCKED and FAILED (and what changes, for CONFIGURE). */
  reason: string | null;
  /** BLOCKED: the VMs holding VFs of the PF, sorted. */
  blockedBy: string[];
  /** CONFIGURE: the VF count is written. */
  changeNumVfs: boolean;
  /** CONFIGURE: VFs that get the policy's attributes (every free VF after a count change). */
  vfsToConfigure: number[];
  /** VFs held by VMs: never touched. */
  heldVfs: number[];
}

/** Shell-style glob over a whole name: "*" any run (also empty), "?" exactly one character. */
export function globMatch(pattern: string, name: string): boolean {
  // iterative matcher with one backtrack point: linear-ish, no regex built from input
  let p = 0;
  let n = 0;
  let star = -1;
  let mark = 0;
  while (n < name.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === name[n])) {
      p++;
      n++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = n;
    } else if (star >= 0) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

export function policyMatchesHost(p: SriovPolicySpec, host: Pick<SriovHostView, 'name' | 'labels'>): boolean {
  if (p.hostNamePattern !== null && !globMatch(p.hostNamePattern, host.name)) return false;
  return Object.entries(p.hostLabels).every(([k, v]) => host.labels[k] === v);
}

/** Only SR-IOV capable PFs are ever matched: a broad pattern never fails on a plain NIC. */
export function policyMatchesPf(p: SriovPolicySpec, pf: SriovPfView): boolean {
  if (pf.totalVfs <= 0) return false;
  if (p.pfNamePattern !== null && !globMatch(p.pfNamePattern, pf.name)) return false;
  if (p.driver !== null && p.driver !== pf.driver) return false;
  if (p.vendorId !== null && p.vendorId !== pf.vendorId?.toLowerCase()) return false;
  if (p.deviceId !== null && p.deviceId !== pf.deviceId?.toLowerCase()) return false;
  return true;
}

/** Winner first: highest priority, then the smallest name (names are unique). */
export function comparePolicies(a: Pick<SriovPolicySpec, 'name' | 'priority'>, b: Pick<SriovPolicySpec, 'name' | 'priority'>): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function vfMatchesDefaults(vf: SriovVfView, d: VfDefaults): boolean {
  return vf.spoofchk === d.spoofchk && vf.trust === d.trust && vf.linkState === d.linkState && vf.maxTxRateMbps === d.maxTxRateMbps;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * A VF attribute the policy sets away from the kernel's default that the PF's driver
 * refuses (VF_DRIVER_CAPABILITIES), e.g. a link state on igb; null when none.
 */
function refusedKnob(driver: string | null, d: VfDefaults): string | null {
  const asked: [VfKnob, boolean][] = [
    ['linkState', d.linkState !== 'auto'],
    ['maxTxRate', d.maxTxRateMbps > 0],
    ['trust', d.trust],
    ['spoofchk', !d.spoofchk],
  ];
  for (const [knob, wanted] of asked) {
    const r = wanted ? vfKnobRefusal(driver, knob) : null;
    if (r) return `the ${driver} driver refuses VF ${VF_KNOB_KEYWORDS[knob]} (${r.errno})`;
  }
  return null;
}

/** The decision for one PF under its winning policy. */
export function decidePf(
  host: Pick<SriovHostView, 'id' | 'name'>,
  pf: SriovPfView,
  winner: SriovPolicySpec,
  outranked: string[] = [],
): SriovDecision {
  const desired: SriovDesired = {
    numVfs: winner.numVfs,
    spoofchk: winner.spoofchk,
    trust: winner.trust,
    linkState: winner.linkState,
    maxTxRateMbps: winner.maxTxRateMbps,
  };
  const held = pf.vfs.filter((v) => v.heldBy !== null);
  const heldVfs = held.map((v) => v.index).sort((a, b) => a - b);
  const base = { hostId: host.id, hostName: host.name, pfId: pf.id, pfName: pf.name, policy: winner.name, outranked, desired, heldVfs };
  const none = { blockedBy: [] as string[], changeNumVfs: false, vfsToConfigure: [] as number[] };

  if (desired.numVfs > pf.totalVfs) {
    return {
      ...base,
      ...none,
      action: 'FAILED',
      reason: `${pf.name} supports at most ${pf.totalVfs} VFs (sriov_totalvfs); policy ${winner.name} asks for ${desired.numVfs}`,
    };
  }
  if (desired.maxTxRateMbps > 0 && pf.speedMbps !== null && pf.speedMbps > 0 && desired.maxTxRateMbps > pf.speedMbps) {
    return {
      ...base,
      ...none,
      action: 'FAILED',
      reason: `max_tx_rate ${desired.maxTxRateMbps} Mbit/s of policy ${winner.name} exceeds the link speed of ${pf.name} (${pf.speedMbps} Mbit/s)`,
    };
  }
  const refused = refusedKnob(pf.driver, desired);
  if (refused) return { ...base, ...none, action: 'FAILED', reason: `${refused} asked by policy ${winner.name}` };
  if (pf.numVfs !== desired.numVfs) {
    // With VFs present a new count destroys them all. With none present (numvfs reset by a
    // reboot) held VFs are restored at their index, unless the new count drops them.
    const disruptive = held.length > 0 && (pf.numVfs > 0 || held.some((v) => v.index >= desired.numVfs));
    if (disruptive) {
      const vms = [...new Set(held.map((v) => v.heldBy as string))].sort();
      return {
        ...base,
        ...none,
        action: 'BLOCKED',
        reason: `changing ${pf.name} from ${pf.numVfs} to ${desired.numVfs} VFs would destroy ${held.length} VF(s) held by ${vms.join(', ')}; it converges once they are released`,
        blockedBy: vms,
      };
    }
    const keep = new Set(heldVfs);
    return {
      ...base,
      action: 'CONFIGURE',
      reason: `sriov_numvfs ${pf.numVfs} -> ${desired.numVfs}`,
      blockedBy: [],
      changeNumVfs: true,
      vfsToConfigure: range(desired.numVfs).filter((i) => !keep.has(i)),
    };
  }
  const differ = pf.vfs
    .filter((v) => v.heldBy === null && v.index < desired.numVfs && !vfMatchesDefaults(v, desired))
    .map((v) => v.index)
    .sort((a, b) => a - b);
  if (differ.length === 0) return { ...base, ...none, action: 'CONVERGED', reason: null };
  return { ...base, ...none, action: 'CONFIGURE', reason: `attributes of ${differ.length} free VF(s) differ`, vfsToConfigure: differ };
}

/**
 * Every PF some policy matches, with its winning policy and what to do, ordered by host
 * then PF name. Independent of the order policies and hosts are given in.
 */
export function resolveSriovPolicies(hosts: readonly SriovHostView[], policies: readonly SriovPolicySpec[]): SriovDecision[] {
  const ranked = [...policies].sort(comparePolicies);
  const out: SriovDecision[] = [];
  for (const host of hosts) {
    const forHost = ranked.filter((p) => policyMatchesHost(p, host));
    if (forHost.length === 0) continue;
    for (const pf of host.pfs) {
      const matching = forHost.filter((p) => policyMatchesPf(p, pf));
      if (matching.length === 0) continue;
      out.push(
        decidePf(
          host,
          pf,
          matching[0],
          matching.slice(1).map((p) => p.name),
        ),
      );
    }
  }
  return out.sort((a, b) =>
    a.hostName === b.hostName ? (a.pfName < b.pfName ? -1 : a.pfName > b.pfName ? 1 : 0) : a.hostName < b.hostName ? -1 : 1,
  );
}
