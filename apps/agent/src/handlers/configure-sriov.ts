import { hostPaths, parseUintFile, readFile, setSriovNumVfs } from '@netpin/host-ops';
import type { IfName } from '@netpin/contracts';
import { AgentError } from '../errors';
import type { HostShell } from '../host-shell';
import type { JobHandler } from './types';

async function readNumVfs(shell: HostShell, pf: IfName): Promise<{ num: number; total: number }> {
  const num = parseUintFile('sriov_numvfs', (await shell.run(readFile(hostPaths.sriovNumVfs(pf)))).stdout);
  const total = parseUintFile('sriov_totalvfs', (await shell.run(readFile(hostPaths.netDeviceFile(pf, 'sriov_totalvfs')))).stdout);
  return { num, total };
}

/**
 * The kernel refuses a new non-zero sriov_numvfs while VFs exist (EBUSY), so a change
 * between two non-zero counts goes through 0. Idempotent: the same count is a no-op.
 */
export const configureSriovHandler: JobHandler<'host.configureSriov'> = {
  mutating: true,
  stepCount: () => 3,
  async run(p, { shell, steps }) {
    let before = { num: 0, total: 0 };
    await steps.run('read sriov_numvfs', async () => {
      before = await readNumVfs(shell, p.pf);
      if (p.numVfs > before.total) {
        throw new AgentError('COMMAND_FAILED', `${p.pf} supports at most ${before.total} VFs, ${p.numVfs} requested`);
      }
      return 'unchanged';
    });
    await steps.run(`set sriov_numvfs ${p.numVfs}`, async () => {
      const now = await readNumVfs(shell, p.pf);
      if (now.num === p.numVfs) return 'unchanged';
      if (now.num !== 0 && p.numVfs !== 0) await shell.run(setSriovNumVfs(p.pf, 0));
      await shell.run(setSriovNumVfs(p.pf, p.numVfs));
      return 'changed';
    });
    await steps.run('read back', async () => {
      const after = await readNumVfs(shell, p.pf);
      if (after.num !== p.numVfs) throw new AgentError('VERIFY_MISMATCH', `${p.pf}: sriov_numvfs is ${after.num} after writing ${p.numVfs}`);
      return 'unchanged';
    });
    return { pf: p.pf, numVfs: p.numVfs, previousNumVfs: before.num };
  },
};
