import { domainXmlDiff } from './domain-compare';
import { releaseSteps, releaseToHost } from './host-release';
import { readDomain } from './host-state';
import { unplugDevice, waitForRelease } from './interface-device';
import { assertMarked } from './ownership';
import type { JobHandler } from './types';
import { throwIfDiff } from './vm-state';

/**
 * vm.detachInterface (and the clean-up of an attach that failed): `virsh detach-device
 * --live --config` from wherever the device is, then wait (bounded) until the running guest
 * has released it: a live detach only asks the guest (ACPI PCI hot-unplug) and libvirt
 * answers success at once, so only the live XML tells. A guest that keeps the device fails
 * the operation with DEVICE_NOT_RELEASED, and nothing is given back: the VF is still the
 * guest's. Then the definition is compared with the desired one (without the interface), and
 * the VF, IRQ affinity and RPS masks go back to what the host had before netpin (as a
 * teardown restores them). Every step converges, so a retry picks up where it stopped.
 */
export const vmDetachInterfaceHandler: JobHandler<'vm.detachInterface'> = {
  mutating: true,
  vmFence: (p) => ({ vmId: p.vmId, generation: p.vmGeneration, advance: false }),
  stepCount: (p) => 3 + releaseSteps(p.release),
  async run(p, { shell, steps }) {
    assertMarked(p.domainXml, p.vmId);
    let askedGuest = false;
    await steps.run('detach interface', async () => {
      const r = await unplugDevice(shell, p.vmName, p.vmId, p.mac, p.deviceXml);
      askedGuest = r.askedGuest;
      return r.outcome;
    });
    await steps.run('wait for the guest to release it', async () => {
      // a retry after a timeout finds the device only in the live XML: wait for it again
      await waitForRelease(shell, p.vmName, p.vmId, p.mac, p.releaseTimeoutMs);
      return askedGuest ? 'changed' : 'unchanged';
    });
    let live = false;
    await steps.run('verify definition', async () => {
      const dom = await readDomain(shell, p.vmName);
      // a domain that is gone has no interface left to verify
      if (dom.inactiveXml !== null) throwIfDiff(domainXmlDiff(p.domainXml, dom.inactiveXml), 'the definition');
      live = dom.state === 'running';
      return 'unchanged';
    });
    await releaseToHost(shell, steps, p.release, p.vmId);
    return { vmName: p.vmName, mac: p.mac, changed: steps.changed, live };
  },
};
