import type { VmTeardownPayload } from '@netpin/contracts';
import { virshDestroy } from '@netpin/host-ops';
import { undefineOwnedDomain } from './domain-power';
import { releaseSteps, releaseToHost } from './host-release';
import { readDomain } from './host-state';
import { isOurs } from './ownership';
import type { JobHandler } from './types';

/**
 * vm.teardown: stop and forget the VM's domain (only if it carries netpin's mark for this
 * VM: a same-named domain of someone else's is left alone), then put back what the host held
 * before netpin changed it: VF attributes, IRQ affinity, RPS masks. Every step is a no-op
 * when already done, so a teardown after a failure at any step converges.
 */
export const vmTeardownHandler: JobHandler<'vm.teardown'> = {
  mutating: true,
  vmFence: (p) => ({ vmId: p.vmId, generation: p.vmGeneration, advance: true }),
  stepCount: (p) => 2 + releaseSteps(p),
  async run(p: VmTeardownPayload, { shell, steps }) {
    await steps.run('destroy domain', async () => {
      const dom = await readDomain(shell, p.vmName);
      if (!isOurs(dom, p.vmId) || dom.state === 'shut off') return 'unchanged';
      await shell.run(virshDestroy(p.vmName));
      return 'changed';
    });
    await steps.run('undefine domain', () => undefineOwnedDomain(shell, p.vmName, p.vmId));
    await releaseToHost(shell, steps, p, p.vmId);
    return { vmName: p.vmName, changed: steps.changed };
  },
};
