import type { StateDiffEntry } from '@netpin/contracts';
import type { JobHandler } from './types';
import { diffBridgePorts, hasLinuxBridgePorts } from './bridge-ports';
import { diffDomain, diffIrqsAndRps, diffVfs } from './vm-state';
import { diffVhostUserPorts } from './vhost-user-ports';
import { diffVdpaDevices, vdpaPaths } from './vdpa-devices';
import { DomainXmlMemo, resolveVdpaSources } from '@netpin/libvirt-xml';

/** vm.verify: read-only; reports every field that differs from the desired state. */
export const vmVerifyHandler: JobHandler<'vm.verify'> = {
  mutating: false,
  stepCount: (p) =>
    4 + (hasLinuxBridgePorts(p.domainXml) ? 1 : 0) + (p.vhostUserPorts.length > 0 ? 1 : 0) + (p.vdpaDevices.length > 0 ? 1 : 0),
  async run(p, { shell, steps }) {
    const diff: StateDiffEntry[] = [];
    const read = (name: string, fn: () => Promise<StateDiffEntry[]>) =>
      steps.run(name, async () => {
        diff.push(...(await fn()));
        return 'unchanged';
      });
    await read('read VF attributes', () => diffVfs(shell, p.vfs));
    // IRQs and RPS read together in the first of their two steps
    let rps: StateDiffEntry[] = [];
    await read('read IRQ affinity', async () => {
      const both = await diffIrqsAndRps(shell, p.irqAffinity, p.rps);
      rps = both.rps;
      return both.irqs;
    });
    await read('read RPS masks', async () => rps);
    if (p.vhostUserPorts.length > 0) await read('read vhost-user ports', () => diffVhostUserPorts(shell, p.vmId, p.vhostUserPorts));
    if (p.vdpaDevices.length > 0) await read('read vDPA devices', () => diffVdpaDevices(shell, p.vdpaDevices));
    await read('read domain', async () => {
      // the placeholders resolved as apply did; a device that is gone leaves its placeholder, which differs
      const domainXml =
        p.vdpaDevices.length > 0 ? resolveVdpaSources(p.domainXml, await vdpaPaths(shell, p.vdpaDevices), 'keep') : p.domainXml;
      return diffDomain(shell, { ...p, domainXml }, new DomainXmlMemo());
    });
    // only a defined domain of ours has taps to read (diffDomain says so otherwise)
    const absent = diff.some((d) => d.field === 'domain' || d.field === 'domain.owner');
    if (hasLinuxBridgePorts(p.domainXml)) await read('read bridge ports', async () => (absent ? [] : diffBridgePorts(shell, p.vmName)));
    return { vmName: p.vmName, inSync: diff.length === 0, diff };
  },
};
