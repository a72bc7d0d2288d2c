import type { VmTeardownPayload } from '@netpin/contracts';
import { virshDestroy, virshUndefine } from '@netpin/host-ops';
import { AgentError } from '../errors';
import { irqResource, restoreFileBaselines, rpsResource } from './baseline';
import { readDomain } from './host-state';
import { isOurs } from './ownership';
import type { JobHandler } from './types';
import { restoreVfs } from './vm-state';

/**
 * vm.teardown: stop and forget the VM's domain (only if it carries netpin's mark for this
 * VM: a same-named domain of someone else's is left alone), then put back what the host held
 * before netpin changed it: VF attributes, IRQ affinity, RPS masks. Every step is a no-op
 * when already done, so a teardown after a failure at any step converges.
 */
export const vmTeardownHandler: JobHandler<'vm.teardown'> = {
  mutating: true,
  vmFence: (p) => ({ vmId: p.vmId, generation: p.vmGeneration, advance: true }),
  stepCount: () => 5,
  async run(p: VmTeardownPayload, { shell, steps }) {
    await steps.run('destroy domain', async () => {
      const dom = await readDomain(shell, p.vmName);
      if (!isOurs(dom, p.vmId) || dom.state === 'shut off') return 'unchanged';
      await shell.run(virshDestroy(p.vmName));
      return 'changed';
    });
    await steps.run('undefine domain', async () => {
      const dom = await readDomain(shell, p.vmName);
      if (!isOurs(dom, p.vmId)) return 'unchanged';
      await shell.run(virshUndefine(p.vmName));
      if ((await readDomain(shell, p.vmName)).defined)
        throw new AgentError('VERIFY_MISMATCH', `domain ${p.vmName} is still defined after virsh undefine`);
      return 'changed';
    });
    await steps.run('restore VFs', () => restoreVfs(shell, p.vfs));
    await steps.run('restore IRQ affinity', async () =>
      (await restoreFileBaselines(shell, p.irqs.map(irqResource))) > 0 ? 'changed' : 'unchanged',
    );
    await steps.run('restore RPS masks', async () =>
      (await restoreFileBaselines(
        shell,
        p.rps.map((r) => rpsResource(r.dev, r.rxQueue)),
      )) > 0
        ? 'changed'
        : 'unchanged',
    );
    return { vmName: p.vmName, changed: steps.changed };
  },
};
