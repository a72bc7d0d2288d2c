import type { HostRelease } from '@netpin/contracts';
import type { HostShell } from '../host-shell';
import type { StepOutcome, StepRunner } from '../steps';
import { irqResource, restoreFileBaselines, rpsResource, type FileResource } from './baseline';
import { restoreVfs } from './vm-state';
import { removeVhostUserPorts } from './vhost-user-ports';
import { removeVdpaDevices } from './vdpa-devices';

/** One part of a release: a named action that is a no-op when already done. */
interface ReleasePart {
  name: string;
  run: () => Promise<StepOutcome>;
}

/** Steps `releaseToHost` reports for `r`. */
export function releaseSteps(r: HostRelease): number {
  return 3 + (r.vhostUserPorts.length > 0 ? 1 : 0) + (r.vdpaDevices.length > 0 ? 1 : 0);
}

/**
 * What a VM hands back to its host, in order: its vhost-user ports are removed (after the
 * domain is gone: QEMU no longer serves the sockets), its vdpa devices (QEMU held their
 * vhost-vdpa chardevs; then the VF is reset), and each VF, IRQ affinity and RPS mask goes back
 * to what the host held before netpin first changed it (the baseline records).
 */
function releaseParts(shell: HostShell, r: HostRelease, vmId: string): ReleasePart[] {
  const files = async (resources: FileResource[]): Promise<StepOutcome> =>
    (await restoreFileBaselines(shell, resources)) > 0 ? 'changed' : 'unchanged';
  return [
    ...(r.vhostUserPorts.length > 0
      ? [{ name: 'remove vhost-user ports', run: () => removeVhostUserPorts(shell, vmId, r.vhostUserPorts) }]
      : []),
    ...(r.vdpaDevices.length > 0 ? [{ name: 'remove vDPA devices', run: () => removeVdpaDevices(shell, r.vdpaDevices) }] : []),
    { name: 'restore VFs', run: () => restoreVfs(shell, r.vfs) },
    { name: 'restore IRQ affinity', run: () => files(r.irqs.map(irqResource)) },
    { name: 'restore RPS masks', run: () => files(r.rps.map((q) => rpsResource(q.dev, q.rxQueue))) },
  ];
}

/**
 * A VM hands its host resources back (vm.teardown, vm.stop with release, vm.detachInterface),
 * each part its own step. Callers undefine the domain first. Every step is a no-op when already done.
 */
export async function releaseToHost(shell: HostShell, steps: StepRunner, r: HostRelease, vmId: string): Promise<void> {
  for (const part of releaseParts(shell, r, vmId)) await steps.run(part.name, part.run);
}

/**
 * The same release inside one step of the caller (a migration's release on the source, its
 * rollback on the target): 'changed' when any part changed something.
 */
export async function releaseHost(shell: HostShell, r: HostRelease, vmId: string): Promise<StepOutcome> {
  let changed = false;
  for (const part of releaseParts(shell, r, vmId)) if ((await part.run()) === 'changed') changed = true;
  return changed ? 'changed' : 'unchanged';
}
