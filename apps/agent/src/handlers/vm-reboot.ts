import { virshReboot } from '@netpin/host-ops';
import { AgentError } from '../errors';
import { ownedDomain } from './domain-power';
import { readDomainState } from './host-state';
import type { JobHandler } from './types';

/**
 * vm.reboot: `virsh reboot` (the guest reboots itself through ACPI; the domain keeps
 * running, its CPUs, VFs and host settings stay as they are). Only a running domain with
 * this VM's ownership mark; a domain that is not running is the host's refusal
 * (COMMAND_FAILED with virsh's "domain is not running").
 */
export const vmRebootHandler: JobHandler<'vm.reboot'> = {
  mutating: true,
  vmFence: (p) => ({ vmId: p.vmId, generation: p.vmGeneration, advance: false }),
  stepCount: () => 1,
  async run(p, { shell, steps }) {
    await steps.run('reboot domain', async () => {
      const dom = await ownedDomain(shell, p.vmName, p.vmId);
      if (!dom.defined) throw new AgentError('COMMAND_FAILED', `domain ${p.vmName} is not defined on this host`);
      await shell.run(virshReboot(p.vmName));
      const after = await readDomainState(shell, p.vmName);
      if (after.state !== 'running')
        throw new AgentError('VERIFY_MISMATCH', `domain ${p.vmName} is ${after.state ?? 'gone'} after virsh reboot`);
      return 'changed';
    });
    return { vmName: p.vmName, changed: steps.changed };
  },
};
