import type { HostRelease } from '@netpin/contracts';
import type { HostShell } from '../host-shell';
import type { StepRunner } from '../steps';
import { irqResource, restoreFileBaselines, rpsResource } from './baseline';
import { restoreVfs } from './vm-state';

/** Steps `releaseToHost` reports. */
export const RELEASE_STEPS = 3;

/**
 * A VM hands its host resources back (vm.teardown, vm.stop with release): each VF, IRQ
 * affinity and RPS mask goes back to what the host held before netpin first changed it
 * (the baseline records). Every step is a no-op when already done.
 */
export async function releaseToHost(shell: HostShell, steps: StepRunner, r: HostRelease): Promise<void> {
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
