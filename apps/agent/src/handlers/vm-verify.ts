import type { StateDiffEntry } from '@netpin/contracts';
import type { JobHandler } from './types';
import { diffDomain, diffIrqs, diffRps, diffVfs } from './vm-state';

/** vm.verify: read-only; reports every field that differs from the desired state. */
export const vmVerifyHandler: JobHandler<'vm.verify'> = {
  mutating: false,
  stepCount: () => 4,
  async run(p, { shell, steps }) {
    const diff: StateDiffEntry[] = [];
    const read = (name: string, fn: () => Promise<StateDiffEntry[]>) =>
      steps.run(name, async () => {
        diff.push(...(await fn()));
        return 'unchanged';
      });
    await read('read VF attributes', () => diffVfs(shell, p.vfs));
    await read('read IRQ affinity', () => diffIrqs(shell, p.irqAffinity));
    await read('read RPS masks', () => diffRps(shell, p.rps));
    await read('read domain', () => diffDomain(shell, p));
    return { vmName: p.vmName, inSync: diff.length === 0, diff };
  },
};
