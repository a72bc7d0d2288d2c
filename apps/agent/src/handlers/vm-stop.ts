import { destroyIfRunning, shutdownAndWait, undefineOwnedDomain } from './domain-power';
import { releaseSteps, releaseToHost } from './host-release';
import type { JobHandler } from './types';

/**
 * vm.stop: a graceful shutdown first (`virsh shutdown`, then wait up to shutdownTimeoutMs
 * for the guest to power off), `virsh destroy` only if it did not. With `release`, the
 * stopped VM also gives its host resources back: its definition is forgotten (it names CPUs
 * and a VF that may go to another VM) and its VFs, IRQs and RPS masks return to their
 * baselines. Only a domain with this VM's ownership mark is touched (FOREIGN_DOMAIN
 * otherwise); a domain already off is left as it is, so a retry converges. Like a teardown,
 * a stop serves a new generation of the VM: jobs made before it stop with STALE_JOB.
 */
export const vmStopHandler: JobHandler<'vm.stop'> = {
  mutating: true,
  // a stop raises the VM's fence: a job made before it (a repair that would start the domain) is stale
  vmFence: (p) => ({ vmId: p.vmId, generation: p.vmGeneration, advance: true }),
  stepCount: (p) => 2 + (p.release ? 1 + releaseSteps(p.release) : 0),
  async run(p, { shell, steps }) {
    let stillRunning = false;
    let forced = false;
    await steps.run('shut down domain', async () => {
      const r = await shutdownAndWait(shell, p.vmName, p.vmId, p.shutdownTimeoutMs);
      stillRunning = r === 'still running';
      return r === 'went off' ? 'changed' : 'unchanged';
    });
    await steps.run('destroy domain', async () => {
      if (!stillRunning) return 'unchanged';
      const outcome = await destroyIfRunning(shell, p.vmName, p.vmId);
      forced = outcome === 'changed';
      return outcome;
    });
    if (p.release) {
      await steps.run('undefine domain', () => undefineOwnedDomain(shell, p.vmName, p.vmId));
      await releaseToHost(shell, steps, p.release, p.vmId);
    }
    return { vmName: p.vmName, changed: steps.changed, forced, released: p.release !== undefined };
  },
};
