import { parseCpuList, type IfName, type StateDiffEntry, type VmDesiredState } from '@netpin/contracts';
import { ipLinkSetVf, setIrqAffinity, setRpsCpus } from '@netpin/host-ops';
import { AgentError } from '../errors';
import type { HostShell } from '../host-shell';
import type { StepOutcome } from '../steps';
import { domainXmlDiff } from './domain-compare';
import {
  cpusText,
  readCpuCount,
  readDomain,
  readIrqAffinity,
  readRps,
  readVfs,
  rpsKey,
  sameCpus,
  vfDiff,
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

export async function ensureVfs(shell: HostShell, vfs: readonly VfTarget[]): Promise<StepOutcome> {
  if (vfs.length === 0) return 'unchanged';
  const actual = await readVfs(
    shell,
    vfs.map((v) => v.pf),
  );
  let changed = false;
  for (const v of vfs) {
    const have = actual.get(v.pf)?.get(v.vfIndex);
    if (!have) throw new AgentError('COMMAND_FAILED', `${v.pf} has no VF ${v.vfIndex} (configure SR-IOV first)`);
    if (vfDiff(v.pf, v.vfIndex, v, have).length === 0) continue;
    await shell.run(
      ipLinkSetVf(v.pf, v.vfIndex, {
        mac: v.mac,
        vlan: v.vlan,
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

export async function diffIrqs(shell: HostShell, irqs: VmDesiredState['irqAffinity']): Promise<StateDiffEntry[]> {
  if (irqs.length === 0) return [];
  const actual = await readIrqAffinity(
    shell,
    irqs.map((i) => i.irq),
  );
  return irqs
    .filter((i) => !sameCpus(actual.get(i.irq) ?? null, i.cpus))
    .map((i) => ({ field: `irq.${i.irq}.affinity`, expected: cpusText(i.cpus), actual: cpusText(actual.get(i.irq) ?? null) }));
}

export async function ensureIrqs(shell: HostShell, irqs: VmDesiredState['irqAffinity']): Promise<StepOutcome> {
  const before = await diffIrqs(shell, irqs);
  if (before.length === 0) return 'unchanged';
  for (const d of before) {
    const irq = Number(d.field.split('.')[1]);
    if (d.actual === 'absent') throw new AgentError('COMMAND_FAILED', `IRQ ${irq} does not exist on this host`);
    await shell.run(setIrqAffinity(irq, parseCpuList(d.expected)));
  }
  throwIfDiff(await diffIrqs(shell, irqs), 'IRQ affinity');
  return 'changed';
}

export async function diffRps(shell: HostShell, rps: VmDesiredState['rps']): Promise<StateDiffEntry[]> {
  if (rps.length === 0) return [];
  const actual = await readRps(shell, rps);
  return rps
    .filter((r) => !sameCpus(actual.get(rpsKey(r.dev, r.rxQueue)) ?? null, r.cpus))
    .map((r) => ({
      field: `rps.${r.dev}.rx-${r.rxQueue}`,
      expected: cpusText(r.cpus),
      actual: cpusText(actual.get(rpsKey(r.dev, r.rxQueue)) ?? null),
    }));
}

export async function ensureRps(shell: HostShell, rps: VmDesiredState['rps']): Promise<StepOutcome> {
  const before = await diffRps(shell, rps);
  if (before.length === 0) return 'unchanged';
  const nrCpus = await readCpuCount(shell);
  for (const r of rps) {
    const d = before.find((x) => x.field === `rps.${r.dev}.rx-${r.rxQueue}`);
    if (!d) continue;
    if (d.actual === 'absent') throw new AgentError('COMMAND_FAILED', `${r.dev} has no receive queue ${r.rxQueue}`);
    await shell.run(setRpsCpus(r.dev, r.rxQueue, r.cpus, nrCpus));
  }
  throwIfDiff(await diffRps(shell, rps), 'RPS masks');
  return 'changed';
}

/** Definition and run state of the domain, compared with what is wanted. */
export async function diffDomain(
  shell: HostShell,
  want: Pick<VmDesiredState, 'vmName' | 'domainXml' | 'start'>,
): Promise<StateDiffEntry[]> {
  const dom = await readDomain(shell, want.vmName);
  if (!dom.defined || dom.inactiveXml === null) return [{ field: 'domain', expected: 'defined', actual: 'not defined' }];
  const d = domainXmlDiff(want.domainXml, dom.inactiveXml);
  if (want.start && dom.state !== 'running') d.push({ field: 'domain.state', expected: 'running', actual: dom.state ?? 'unknown' });
  return d;
}

function throwIfDiff(diff: StateDiffEntry[], what: string): void {
  if (diff.length === 0) return;
  const first = diff[0];
  throw new AgentError(
    'VERIFY_MISMATCH',
    `${what} did not take: ${first.field} is ${first.actual}, expected ${first.expected}${diff.length > 1 ? ` (+${diff.length - 1} more)` : ''}`,
  );
}
