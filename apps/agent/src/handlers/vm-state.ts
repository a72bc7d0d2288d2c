import {
  anyMacSchema,
  parseCpuList,
  VF_CLEAN_DEFAULTS,
  vlanIdSchema,
  VLAN_PROTOCOLS,
  type IfName,
  type StateDiffEntry,
  type VmDesiredState,
} from '@netpin/contracts';
import { hostPaths, ipLinkSetVf, setIrqAffinity, setRpsCpus } from '@netpin/host-ops';
import type { DomainXmlMemo } from '@netpin/libvirt-xml';
import { z } from 'zod';
import { forgetBaselineRecords, irqResource, readBaselineRecords, rpsResource, writeBaselineRecord, writeRecorded } from './baseline';
import { isOurs } from './ownership';
import { AgentError } from '../errors';
import type { HostShell } from '../host-shell';
import type { StepOutcome } from '../steps';
import { domainXmlDiff } from './domain-compare';
import {
  cpuCountOf,
  cpusText,
  irqAffinityOf,
  readDomain,
  readFileMap,
  readIrqAffinity,
  readRps,
  readVfs,
  rpsOf,
  rpsKey,
  sameCpus,
  vfDiff,
  type VfActual,
  type VfAttrs,
} from './host-state';

/**
 * The convergent pieces of a VM's host state. Each `ensure*` reads the current state,
 * writes only what differs, then reads back and fails with VERIFY_MISMATCH if the host
 * did not take the value. `diff*` is the read-only half, shared with vm.verify.
 */

type VfTarget = VfAttrs & { pf: IfName; vfIndex: number };

export async function diffVfs(shell: HostShell, vfs: readonly VfTarget[]): Promise<StateDiffEntry[]> {
  if (vfs.length === 0) return [];
  const actual = await readVfs(
    shell,
    vfs.map((v) => v.pf),
  );
  return vfs.flatMap((v) => vfDiff(v.pf, v.vfIndex, v, actual.get(v.pf)?.get(v.vfIndex)));
}

/**
 * Converge VFs to `vfs`. With `record`, a VF's attributes are kept as its baseline before
 * netpin first changes them (vm.apply); restoring (vm.teardown) does not record.
 */
export async function ensureVfs(shell: HostShell, vfs: readonly VfTarget[], record = true): Promise<StepOutcome> {
  if (vfs.length === 0) return 'unchanged';
  const actual = await readVfs(
    shell,
    vfs.map((v) => v.pf),
  );
  const paths = vfs.map((v) => hostPaths.vfBaseline(v.pf, v.vfIndex));
  const records = record ? await readBaselineRecords(shell, paths) : new Map<string, string>();
  let changed = false;
  for (const [k, v] of vfs.entries()) {
    const have = actual.get(v.pf)?.get(v.vfIndex);
    if (!have) throw new AgentError('COMMAND_FAILED', `${v.pf} has no VF ${v.vfIndex} (configure SR-IOV first)`);
    if (vfDiff(v.pf, v.vfIndex, v, have).length === 0) continue;
    if (record && !records.has(paths[k])) await writeBaselineRecord(shell, paths[k], JSON.stringify(vfAttrsOf(have)));
    await shell.run(
      ipLinkSetVf(v.pf, v.vfIndex, {
        mac: v.mac,
        vlan: v.vlan,
        // 802.1Q is iproute2's default: named only when it is not
        ...(v.vlanProtocol === 'DOT1AD' && v.vlan !== 0 ? { vlanProtocol: v.vlanProtocol } : {}),
        spoofChk: v.spoofchk,
        trust: v.trust,
        maxTxRateMbps: v.maxTxRateMbps,
        minTxRateMbps: v.minTxRateMbps,
      }),
    );
    changed = true;
  }
  if (changed) throwIfDiff(await diffVfs(shell, vfs), 'VF attributes');
  return changed ? 'changed' : 'unchanged';
}

const vfBaselineSchema = z.object({
  mac: anyMacSchema,
  vlan: vlanIdSchema,
  vlanProtocol: z.enum(VLAN_PROTOCOLS).default('DOT1Q'),
  spoofchk: z.boolean(),
  trust: z.boolean(),
  maxTxRateMbps: z.number().int().min(0),
  minTxRateMbps: z.number().int().min(0),
});

function vfAttrsOf(have: VfActual): VfAttrs {
  return {
    mac: anyMacSchema.parse(have.mac.toLowerCase()),
    vlan: vlanIdSchema.parse(have.vlan),
    vlanProtocol: have.vlanProtocol,
    spoofchk: have.spoofChk ?? VF_CLEAN_DEFAULTS.spoofchk,
    trust: have.trust ?? VF_CLEAN_DEFAULTS.trust,
    maxTxRateMbps: have.maxTxRateMbps,
    minTxRateMbps: have.minTxRateMbps,
  };
}

/**
 * Each VF back to the attributes recorded before netpin first changed it (a record a host
 * cannot parse counts as none), else to VF_CLEAN_DEFAULTS; the records are then forgotten.
 */
export async function restoreVfs(shell: HostShell, vfs: readonly { pf: IfName; vfIndex: number }[]): Promise<StepOutcome> {
  if (vfs.length === 0) return 'unchanged';
  const paths = vfs.map((v) => hostPaths.vfBaseline(v.pf, v.vfIndex));
  const records = await readBaselineRecords(shell, paths);
  const targets = vfs.map((v, k) => {
    const rec = records.get(paths[k]);
    const parsed = rec === undefined ? undefined : vfBaselineSchema.safeParse(safeJson(rec));
    const attrs: VfAttrs = parsed?.success ? parsed.data : cleanVfAttrs();
    return { ...attrs, pf: v.pf, vfIndex: v.vfIndex };
  });
  const outcome = await ensureVfs(shell, targets, false);
  await forgetBaselineRecords(
    shell,
    paths.filter((p) => records.has(p)),
  );
  return outcome;
}

function cleanVfAttrs(): VfAttrs {
  return { ...VF_CLEAN_DEFAULTS, mac: anyMacSchema.parse(VF_CLEAN_DEFAULTS.mac), vlan: vlanIdSchema.parse(VF_CLEAN_DEFAULTS.vlan) };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export async function diffIrqs(shell: HostShell, irqs: VmDesiredState['irqAffinity']): Promise<StateDiffEntry[]> {
  if (irqs.length === 0) return [];
  return irqDiff(
    irqs,
    await readIrqAffinity(
      shell,
      irqs.map((i) => i.irq),
    ),
  );
}

/**
 * The IRQ and RPS differences out of one read of both sets of files (vm.verify: one round trip
 * where diffIrqs and diffRps take one each).
 */
export async function diffIrqsAndRps(
  shell: HostShell,
  irqs: VmDesiredState['irqAffinity'],
  rps: VmDesiredState['rps'],
): Promise<{ irqs: StateDiffEntry[]; rps: StateDiffEntry[] }> {
  const files = await readFileMap(shell, [
    ...irqs.map((i) => hostPaths.irqAffinityList(i.irq)),
    ...rps.map((r) => hostPaths.rpsCpus(r.dev, r.rxQueue)),
  ]);
  return {
    irqs: irqDiff(
      irqs,
      irqAffinityOf(
        files,
        irqs.map((i) => i.irq),
      ),
    ),
    rps: rpsDiff(rps, rpsOf(files, rps)),
  };
}

function irqDiff(irqs: VmDesiredState['irqAffinity'], actual: Map<number, number[] | null>): StateDiffEntry[] {
  return irqs
    .filter((i) => !sameCpus(actual.get(i.irq) ?? null, i.cpus))
    .map((i) => ({ field: `irq.${i.irq}.affinity`, expected: cpusText(i.cpus), actual: cpusText(actual.get(i.irq) ?? null) }));
}

/**
 * Three round trips when something changes: the affinities and their baseline records in one
 * read, the records still missing and the new affinities in one write, the read-back.
 */
export async function ensureIrqs(shell: HostShell, irqs: VmDesiredState['irqAffinity']): Promise<StepOutcome> {
  if (irqs.length === 0) return 'unchanged';
  const resources = irqs.map((i) => irqResource(i.irq));
  const known = await readFileMap(shell, [...resources.map((r) => r.path), ...resources.map((r) => r.baseline)]);
  const before = irqDiff(
    irqs,
    irqAffinityOf(
      known,
      irqs.map((i) => i.irq),
    ),
  );
  if (before.length === 0) return 'unchanged';
  const changing = before.map((d) => ({ irq: Number(d.field.split('.')[1]), d }));
  const absent = changing.find((c) => c.d.actual === 'absent');
  if (absent) throw new AgentError('COMMAND_FAILED', `IRQ ${absent.irq} does not exist on this host`);
  await writeRecorded(
    shell,
    changing.map((c) => irqResource(c.irq)),
    changing.map((c) => setIrqAffinity(c.irq, parseCpuList(c.d.expected))),
    known,
  );
  throwIfDiff(await diffIrqs(shell, irqs), 'IRQ affinity');
  return 'changed';
}

export async function diffRps(shell: HostShell, rps: VmDesiredState['rps']): Promise<StateDiffEntry[]> {
  if (rps.length === 0) return [];
  return rpsDiff(rps, await readRps(shell, rps));
}

function rpsDiff(rps: VmDesiredState['rps'], actual: Map<string, number[] | null>): StateDiffEntry[] {
  return rps
    .filter((r) => !sameCpus(actual.get(rpsKey(r.dev, r.rxQueue)) ?? null, r.cpus))
    .map((r) => ({
      field: `rps.${r.dev}.rx-${r.rxQueue}`,
      expected: cpusText(r.cpus),
      actual: cpusText(actual.get(rpsKey(r.dev, r.rxQueue)) ?? null),
    }));
}

/** Like ensureIrqs; the first read also takes the CPUs online, which set the masks' width. */
export async function ensureRps(shell: HostShell, rps: VmDesiredState['rps']): Promise<StepOutcome> {
  if (rps.length === 0) return 'unchanged';
  const resources = rps.map((r) => rpsResource(r.dev, r.rxQueue));
  const known = await readFileMap(shell, [...resources.map((r) => r.path), ...resources.map((r) => r.baseline), hostPaths.cpusOnline]);
  const before = rpsDiff(rps, rpsOf(known, rps));
  if (before.length === 0) return 'unchanged';
  const nrCpus = cpuCountOf(known);
  const changing = rps.filter((r) => before.some((x) => x.field === `rps.${r.dev}.rx-${r.rxQueue}`));
  const absent = changing.find((r) => before.find((x) => x.field === `rps.${r.dev}.rx-${r.rxQueue}`)?.actual === 'absent');
  if (absent) throw new AgentError('COMMAND_FAILED', `${absent.dev} has no receive queue ${absent.rxQueue}`);
  await writeRecorded(
    shell,
    changing.map((r) => rpsResource(r.dev, r.rxQueue)),
    changing.map((r) => setRpsCpus(r.dev, r.rxQueue, r.cpus, nrCpus)),
    known,
  );
  throwIfDiff(await diffRps(shell, rps), 'RPS masks');
  return 'changed';
}

/** Definition and run state of the domain, compared with what is wanted (`memo`: the job's parses). */
export async function diffDomain(
  shell: HostShell,
  want: Pick<VmDesiredState, 'vmId' | 'vmName' | 'domainXml' | 'start'>,
  memo?: DomainXmlMemo,
): Promise<StateDiffEntry[]> {
  const dom = await readDomain(shell, want.vmName);
  if (!dom.defined || dom.inactiveXml === null) return [{ field: 'domain', expected: 'defined', actual: 'not defined' }];
  if (!isOurs(dom, want.vmId, memo)) return [{ field: 'domain.owner', expected: want.vmId, actual: 'a domain netpin did not define' }];
  const d = domainXmlDiff(want.domainXml, dom.inactiveXml, memo);
  if (want.start && dom.state !== 'running') d.push({ field: 'domain.state', expected: 'running', actual: dom.state ?? 'unknown' });
  return d;
}

export function throwIfDiff(diff: StateDiffEntry[], what: string): void {
  if (diff.length === 0) return;
  const first = diff[0];
  throw new AgentError(
    'VERIFY_MISMATCH',
    `${what} did not take: ${first.field} is ${first.actual}, expected ${first.expected}${diff.length > 1 ? ` (+${diff.length - 1} more)` : ''}`,
  );
}
