import { formatCpuList, parseCpuList, type DomainName, type IfName, type StateDiffEntry, type VfDesired } from '@netpin/contracts';
import {
  hostPaths,
  ipLinkShow,
  parseCpuMaskFile,
  parseGrepFiles,
  parseIpLinkShow,
  parseVirshListState,
  readFiles,
  virshDumpxml,
  virshListAll,
  type IpLinkVf,
  type VirshDomainState,
} from '@netpin/host-ops';
import { AgentError } from '../errors';
import type { HostShell } from '../host-shell';

/**
 * Reads of the host state a VM's desired state talks about. Every mutating step reads
 * through these before writing (apply only the difference) and after (read back).
 */

export type VfActual = IpLinkVf;

/** VFs of the given PFs, by PF then VF index. */
export async function readVfs(shell: HostShell, pfs: readonly IfName[]): Promise<Map<IfName, Map<number, VfActual>>> {
  const out = new Map<IfName, Map<number, VfActual>>();
  for (const pf of [...new Set(pfs)]) {
    const res = await shell.run(ipLinkShow(pf));
    const link = parseIpLinkShow(res.stdout).find((l) => l.name === pf);
    if (!link) throw new AgentError('PARSE_FAILED', `ip link show dev ${pf} did not describe ${pf}`);
    out.set(pf, new Map(link.vfs.map((v) => [v.index, v])));
  }
  return out;
}

export type VfAttrs = Pick<VfDesired, 'mac' | 'vlan' | 'vlanProtocol' | 'spoofchk' | 'trust' | 'maxTxRateMbps' | 'minTxRateMbps'>;

/** Field-by-field difference of one VF; drivers that do not report spoofchk/trust (null) are not compared on those. */
export function vfDiff(pf: string, index: number, want: VfAttrs, have: VfActual | undefined): StateDiffEntry[] {
  const at = `vf.${pf}.${index}`;
  if (!have) return [{ field: at, expected: 'present', actual: 'absent' }];
  const d: StateDiffEntry[] = [];
  const cmp = (field: string, expected: string, actual: string): void => {
    if (expected !== actual) d.push({ field: `${at}.${field}`, expected, actual });
  };
  cmp('mac', want.mac.toLowerCase(), have.mac.toLowerCase());
  cmp('vlan', String(want.vlan), String(have.vlan));
  // the protocol of no tag is moot (a VF reset to vlan 0 keeps whatever its driver reports)
  if (want.vlan !== 0 || have.vlan !== 0) cmp('vlanProtocol', want.vlanProtocol, have.vlanProtocol);
  if (have.spoofChk !== null) cmp('spoofchk', onOff(want.spoofchk), onOff(have.spoofChk));
  if (have.trust !== null) cmp('trust', onOff(want.trust), onOff(have.trust));
  cmp('maxTxRateMbps', String(want.maxTxRateMbps), String(have.maxTxRateMbps));
  cmp('minTxRateMbps', String(want.minTxRateMbps), String(have.minTxRateMbps));
  return d;
}

function onOff(b: boolean): string {
  return b ? 'on' : 'off';
}

/** Many files in one read (grep -H): text by path; a file the host does not have is absent. */
export async function readFileMap(shell: HostShell, paths: readonly string[]): Promise<Map<string, string>> {
  if (paths.length === 0) return new Map();
  return parseGrepFiles((await shell.run(readFiles(paths))).stdout, paths);
}

/** smp_affinity_list of each IRQ; an IRQ the host does not have maps to null. */
export async function readIrqAffinity(shell: HostShell, irqs: readonly number[]): Promise<Map<number, number[] | null>> {
  return irqAffinityOf(
    await readFileMap(
      shell,
      irqs.map((i) => hostPaths.irqAffinityList(i)),
    ),
    irqs,
  );
}

/** The IRQs' affinities out of files read with readFileMap. */
export function irqAffinityOf(files: ReadonlyMap<string, string>, irqs: readonly number[]): Map<number, number[] | null> {
  return new Map(
    irqs.map((irq) => {
      const text = files.get(hostPaths.irqAffinityList(irq));
      return [irq, text === undefined ? null : parseCpuList(text)];
    }),
  );
}

export function rpsKey(dev: string, rxQueue: number): string {
  return `${dev}/rx-${rxQueue}`;
}

/** rps_cpus of each (dev, queue); a queue the host does not have maps to null. */
export async function readRps(
  shell: HostShell,
  entries: readonly { dev: IfName; rxQueue: number }[],
): Promise<Map<string, number[] | null>> {
  return rpsOf(
    await readFileMap(
      shell,
      entries.map((e) => hostPaths.rpsCpus(e.dev, e.rxQueue)),
    ),
    entries,
  );
}

/** The queues' RPS CPUs out of files read with readFileMap. */
export function rpsOf(
  files: ReadonlyMap<string, string>,
  entries: readonly { dev: IfName; rxQueue: number }[],
): Map<string, number[] | null> {
  return new Map(
    entries.map((e) => {
      const text = files.get(hostPaths.rpsCpus(e.dev, e.rxQueue));
      return [rpsKey(e.dev, e.rxQueue), text === undefined ? null : parseCpuMaskFile('rps_cpus', text)];
    }),
  );
}

/**
 * How many CPUs are online, out of hostPaths.cpusOnline read with readFileMap: the count
 * `lscpu -p` prints rows for, read with the files it goes with instead of a command of its own.
 */
export function cpuCountOf(files: ReadonlyMap<string, string>): number {
  const text = files.get(hostPaths.cpusOnline);
  if (text === undefined) throw new AgentError('PARSE_FAILED', `${hostPaths.cpusOnline} could not be read`);
  return parseCpuList(text).length;
}

export function sameCpus(a: readonly number[] | null, b: readonly number[]): boolean {
  return a !== null && formatCpuList(a) === formatCpuList(b);
}

export function cpusText(a: readonly number[] | null): string {
  return a === null ? 'absent' : formatCpuList(a);
}

export interface DomainActual {
  defined: boolean;
  state: VirshDomainState | null;
  /** Persistent definition (dumpxml --inactive); null when not defined. */
  inactiveXml: string | null;
}

/** Definition and state: `virsh list --all` (defined, state), then `dumpxml --inactive` of a defined domain. */
export async function readDomain(shell: HostShell, name: DomainName): Promise<DomainActual> {
  const { defined, state } = await readDomainState(shell, name);
  if (!defined) return { defined: false, state: null, inactiveXml: null };
  const inactiveXml = (await shell.run(virshDumpxml(name, { inactive: true }))).stdout;
  return { defined: true, state, inactiveXml };
}

/**
 * Whether the domain is defined and its run state, from one command (`virsh list --all`),
 * where readDomain takes three: for the read-back after a define, start, destroy or
 * reboot, which needs no definition (ownership was checked on the read before the write).
 */
export async function readDomainState(shell: HostShell, name: DomainName): Promise<Pick<DomainActual, 'defined' | 'state'>> {
  const state = parseVirshListState((await shell.run(virshListAll())).stdout, name);
  return { defined: state !== null, state };
}
