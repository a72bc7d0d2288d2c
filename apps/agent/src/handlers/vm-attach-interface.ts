import { readDomain } from './host-state';
import { ensureBridgePorts } from './bridge-ports';
import { domainXmlDiff } from './domain-compare';
import { diffLiveInterface, plugDevice } from './interface-device';
import { assertMarked } from './ownership';
import type { JobHandler } from './types';
import { ensureIrqs, ensureRps, ensureVfs, throwIfDiff } from './vm-state';
import { ensureVhostUserPorts } from './vhost-user-ports';

/**
 * vm.attachInterface: NIC hot-plug. The host side first, as vm.apply does it (the VF
 * programmed with the interface's MAC and VLAN, IRQ affinity and RPS masks re-planned for
 * the NIC, each recording the host's value before netpin changes it), so the guest never
 * sees a half-configured datapath; then `virsh attach-device --live --config` (the
 * definition alone when the domain is shut off), only where the device is missing; then
 * the definition is compared with the desired domain and the live interface with the
 * desired one, by meaning. A failure at any step fails the operation with the step and the
 * host's stderr: the API then detaches and releases the interface (vm.detachInterface).
 */
export const vmAttachInterfaceHandler: JobHandler<'vm.attachInterface'> = {
  mutating: true,
  vmFence: (p) => ({ vmId: p.vmId, generation: p.vmGeneration, advance: false }),
  stepCount: (p) => 5 + (p.start && isBridgeDevice(p.deviceXml) ? 1 : 0) + (p.vhostUserPorts.length > 0 ? 1 : 0),
  async run(p, { shell, steps }) {
    assertMarked(p.domainXml, p.vmId);
    await steps.run('VF attributes', () => ensureVfs(shell, p.vfs));
    await steps.run('IRQ affinity', () => ensureIrqs(shell, p.irqAffinity));
    await steps.run('RPS masks', () => ensureRps(shell, p.rps));
    // a vhost-user NIC's port must be there before QEMU serves its socket
    if (p.vhostUserPorts.length > 0) await steps.run('vhost-user ports', () => ensureVhostUserPorts(shell, p.vmId, p.vhostUserPorts));
    await steps.run('attach interface', () => plugDevice(shell, p.vmName, p.vmId, p.mac, p.deviceXml));
    let live = false;
    await steps.run('verify interface', async () => {
      const dom = await readDomain(shell, p.vmName);
      throwIfDiff(
        dom.inactiveXml === null
          ? [{ field: 'domain', expected: 'defined', actual: 'not defined' }]
          : domainXmlDiff(p.domainXml, dom.inactiveXml),
        'the definition',
      );
      live = dom.state === 'running';
      if (live) throwIfDiff(await diffLiveInterface(shell, p.vmName, p.domainXml, p.mac), 'the hot-plug');
      return 'unchanged';
    });
    if (live && isBridgeDevice(p.deviceXml)) await steps.run('bridge ports', () => ensureBridgePorts(shell, p.vmName));
    return { vmName: p.vmName, mac: p.mac, changed: steps.changed, live };
  },
};

/** A tap on a Linux bridge (not an OVS port): the kind of port the bridge-ports step keeps in place. */
function isBridgeDevice(deviceXml: string): boolean {
  return /^<interface type="bridge"/.test(deviceXml.trim()) && !deviceXml.includes('openvswitch');
}
