import type { HostRelease } from '@netpin/contracts';
import type { HostShell } from '../host-shell';
import type { StepRunner } from '../steps';
import { irqResource, restoreFileBaselines, rpsResource } from './baseline';
import { restoreVfs } from './vm-state';
import { removeVhostUserPorts } from './vhost-user-ports';
import { removeVdpaDevices } from './vdpa-devices';

/** Steps `releaseToHost` reports for `r`. */
export function releaseSteps(r: HostRelease): number {
  return 3 + (r.vhostUserPorts.length > 0 ? 1 : 0) + (r.vdpaDevices.length > 0 ? 1 : 0);
}

/**
 * A VM hands its host resources back (vm.teardown, vm.stop with release): its vhost-user
 * ports are removed, and each VF, IRQ affinity and RPS mask goes back to what the host held before netpin first changed it
 * (the baseline records). Every step is a no-op when already done.
 */
export async function releaseToHost(shell: HostShell, steps: StepRunner, r: HostRelease, vmId: string): Promise<void> {
  // after the domain is gone (callers undefine first): QEMU no longer serves the sockets
  if (r.vhostUserPorts.length > 0) await steps.run('remove vhost-user ports', () => removeVhostUserPorts(shell, vmId, r.vhostUserPorts));
  // after the domain is gone too: QEMU held the vhost-vdpa chardev; then the VF is reset
  if (r.vdpaDevices.length > 0) await steps.run('remove vDPA devices', () => removeVdpaDevices(shell, r.vdpaDevices));
  await steps.run('restore VFs', () => restoreVfs(shell, r.vfs));
  await steps.run('restore IRQ affinity', async () =>
    (await restoreFileBaselines(shell, r.irqs.map(irqResource))) > 0 ? 'changed' : 'unchanged',
  );
  await steps.run('restore RPS masks', async () =>
    (await restoreFileBaselines(
      shell,
      r.rps.map((q) => rpsResource(q.dev, q.rxQueue)),
    )) > 0
      ? 'changed'
      : 'unchanged',
  );
}
