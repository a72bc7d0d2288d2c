import { virshDefine, virshStart, type VirshDomainState } from '@netpin/host-ops';
import { DomainXmlMemo } from '@netpin/libvirt-xml';
import { AgentError } from '../errors';
import { domainXmlDiff } from './domain-compare';
import { readDomain, readDomainState } from './host-state';
import { assertMarked, foreignDomain, isOurs } from './ownership';
import type { HandlerContext, JobHandler } from './types';
import { ensureBridgePorts, hasLinuxBridgePorts } from './bridge-ports';
import { ensureIrqs, ensureRps, ensureVfs } from './vm-state';
import { ensureVhostUserPorts } from './vhost-user-ports';
import { ensureVdpaDevices, resolvedDomainXml } from './vdpa-devices';

type ApplyPayload = Parameters<(typeof vmApplyHandler)['run']>[0];

type Seen = { outcome: 'changed' | 'unchanged'; state: VirshDomainState | null };

/**
 * define (only over a domain netpin owns for this VM, and only when it differs in meaning), with
 * the vDPA placeholders replaced by the devices' /dev/vhost-vdpa-N. Hands back the domain's run
 * state as last read (before an unchanged define, else its read-back) for the start step.
 * `memo`: the job's parses (the desired XML was parsed for its mark already).
 */
async function defineDomain(planned: ApplyPayload, { shell }: HandlerContext, memo: DomainXmlMemo): Promise<Seen> {
  const p = { ...planned, domainXml: await resolvedDomainXml(shell, planned.domainXml, planned.vdpaDevices) };
  const dom = await readDomain(shell, p.vmName);
  if (dom.defined && !isOurs(dom, p.vmId, memo)) throw foreignDomain(p.vmName, p.vmId);
  if (dom.defined && dom.inactiveXml !== null && domainXmlDiff(p.domainXml, dom.inactiveXml, memo).length === 0)
    return { outcome: 'unchanged', state: dom.state };
  await shell.run(virshDefine(p.domainXml));
  const after = await readDomainState(shell, p.vmName);
  if (!after.defined)
    throw new AgentError('VERIFY_MISMATCH', `domain ${p.vmName} is not defined after virsh define (does the XML name it ${p.vmName}?)`);
  return { outcome: 'changed', state: after.state };
}

/**
 * The define step before it checked the domain is this VM's and read its run state, the step
 * just before under the same host lock: started unless that state was running, then read back.
 */
async function startDomain(p: ApplyPayload, { shell }: HandlerContext, seen: VirshDomainState | null): Promise<'changed' | 'unchanged'> {
  if (seen === 'running') return 'unchanged';
  await shell.run(virshStart(p.vmName));
  const after = await readDomainState(shell, p.vmName);
  if (after.state !== 'running')
    throw new AgentError('VERIFY_MISMATCH', `domain ${p.vmName} is ${after.state ?? 'gone'} after virsh start`);
  return 'changed';
}

/**
 * vm.apply: host-side plumbing first (VFs, IRQs, RPS, each recording what the host held
 * before; vhost-user ports), so that a guest never starts on a half-configured datapath; then the
 * definition, then the start, then the guest's taps on their bridges (a repair puts back a
 * tap moved off its bridge).
 */
export const vmApplyHandler: JobHandler<'vm.apply'> = {
  mutating: true,
  vmFence: (p) => ({ vmId: p.vmId, generation: p.vmGeneration, advance: false }),
  stepCount: (p) =>
    (p.start ? 5 : 4) +
    (p.start && hasLinuxBridgePorts(p.domainXml) ? 1 : 0) +
    (p.vhostUserPorts.length > 0 ? 1 : 0) +
    (p.vdpaDevices.length > 0 ? 1 : 0),
  async run(p, ctx) {
    const { shell, steps } = ctx;
    const memo = new DomainXmlMemo(); // this job's parses: each XML text once
    assertMarked(p.domainXml, p.vmId, memo);
    await steps.run('VF attributes', () => ensureVfs(shell, p.vfs));
    await steps.run('IRQ affinity', () => ensureIrqs(shell, p.irqAffinity));
    await steps.run('RPS masks', () => ensureRps(shell, p.rps));
    if (p.vhostUserPorts.length > 0) await steps.run('vhost-user ports', () => ensureVhostUserPorts(shell, p.vmId, p.vhostUserPorts));
    if (p.vdpaDevices.length > 0) await steps.run('vDPA devices', () => ensureVdpaDevices(shell, p.vdpaDevices));
    let seen: VirshDomainState | null = null;
    await steps.run('define domain', async () => {
      const d = await defineDomain(p, ctx, memo);
      seen = d.state;
      return d.outcome;
    });
    if (p.start) {
      await steps.run('start domain', () => startDomain(p, ctx, seen));
      if (hasLinuxBridgePorts(p.domainXml)) await steps.run('bridge ports', () => ensureBridgePorts(shell, p.vmName));
    }
    // the start step throws unless the domain runs: only an apply without start reads the state
    const running = p.start || (await readDomainState(shell, p.vmName)).state === 'running';
    return { vmName: p.vmName, changed: steps.changed, running };
  },
};
