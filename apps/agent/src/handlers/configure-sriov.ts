import { hostPaths, ipLinkSetVf, parseUintFile, readFile, setSriovNumVfs } from '@netpin/host-ops';
import { VF_CLEAN_DEFAULTS, type ConfigureSriovPayload, type IfName, type VfDefaults } from '@netpin/contracts';
import { AgentError } from '../errors';
import type { HostShell } from '../host-shell';
import { readVfs, type VfActual } from './host-state';
import type { HandlerContext, JobHandler } from './types';

type Payload = ConfigureSriovPayload;

async function readNumVfs(shell: HostShell, pf: IfName): Promise<{ num: number; total: number }> {
  const num = parseUintFile('sriov_numvfs', (await shell.run(readFile(hostPaths.sriovNumVfs(pf)))).stdout);
  const total = parseUintFile('sriov_totalvfs', (await shell.run(readFile(hostPaths.netDeviceFile(pf, 'sriov_totalvfs')))).stdout);
  return { num, total };
}

/** A VF carrying a MAC is in use: vm.apply sets the guest's MAC, teardown puts back the clean (zero) one. */
function inUse(vf: VfActual): boolean {
  return vf.mac.toLowerCase() !== VF_CLEAN_DEFAULTS.mac;
}

/** Drivers that do not report spoofchk/trust/link state (null) are not compared on those. */
function matches(vf: VfActual, d: VfDefaults): boolean {
  return (
    (vf.spoofChk === null || vf.spoofChk === d.spoofchk) &&
    (vf.trust === null || vf.trust === d.trust) &&
    (vf.linkState === null || vf.linkState === d.linkState) &&
    vf.maxTxRateMbps === d.maxTxRateMbps
  );
}

/**
 * Before a count change, under the host lock: the VFs netpin has allocated right now (the
 * API's claims, not the API's earlier check) must not be among those the change destroys;
 * with none, the PF is frozen so no placement claims one until this job ends. Then, for
 * SR-IOV policies (refuseIfVfsInUse), the host's own view: no VF may carry a MAC.
 */
async function checkCountChange(p: Payload, { shell, vfClaims }: HandlerContext): Promise<{ num: number; total: number }> {
  const before = await readNumVfs(shell, p.pf);
  if (p.numVfs > before.total) {
    throw new AgentError('COMMAND_FAILED', `${p.pf} supports at most ${before.total} VFs, ${p.numVfs} requested`);
  }
  if (before.num === p.numVfs || before.num === 0) return before;
  const claimed = await vfClaims.heldOrFreeze(p.pf, before.num);
  if (claimed.length > 0) {
    throw new AgentError(
      'VF_IN_USE',
      `${p.pf}: VF(s) ${claimed.map((c) => `${c.index} (VM ${c.vmId})`).join(', ')} are allocated; refusing to change sriov_numvfs from ${before.num} to ${p.numVfs}`,
    );
  }
  if (p.refuseIfVfsInUse === true) {
    const busy = [...((await readVfs(shell, [p.pf])).get(p.pf)?.values() ?? [])].filter(inUse).map((v) => v.index);
    if (busy.length > 0) {
      throw new AgentError(
        'COMMAND_FAILED',
        `${p.pf}: VF(s) ${busy.join(', ')} carry a MAC address (in use); refusing to change sriov_numvfs from ${before.num} to ${p.numVfs}`,
      );
    }
  }
  return before;
}

async function configure(p: Payload, ctx: HandlerContext) {
  const { shell, steps } = ctx;
  let before = { num: 0, total: 0 };
  await steps.run('read sriov_numvfs', async () => {
    before = await checkCountChange(p, ctx);
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
  const defaults = p.vfDefaults;
  if (!defaults) return { pf: p.pf, numVfs: p.numVfs, previousNumVfs: before.num };

  const { configured, skippedInUse } = await applyDefaults(p, ctx, defaults);
  return { pf: p.pf, numVfs: p.numVfs, previousNumVfs: before.num, configuredVfs: configured, skippedInUse };
}

/** Every free VF below the count gets the policy's attributes, then they are read back. */
async function applyDefaults(p: Payload, ctx: HandlerContext, defaults: VfDefaults) {
  const { shell, steps } = ctx;
  const configured: number[] = [];
  const skippedInUse: number[] = [];
  await steps.run('set VF attributes', async () => {
    // the VFs the API kept when it decided, and every VF claimed since
    const keep = new Set([...(p.keepVfs ?? []), ...(await ctx.vfClaims.held(p.pf))]);
    const vfs = (await readVfs(shell, [p.pf])).get(p.pf) ?? new Map<number, VfActual>();
    for (const vf of [...vfs.values()].sort((a, b) => a.index - b.index)) {
      if (vf.index >= p.numVfs || keep.has(vf.index)) continue;
      if (inUse(vf)) {
        skippedInUse.push(vf.index);
        continue;
      }
      if (matches(vf, defaults)) continue;
      await shell.run(
        ipLinkSetVf(p.pf, vf.index, {
          spoofChk: defaults.spoofchk,
          trust: defaults.trust,
          maxTxRateMbps: defaults.maxTxRateMbps,
          // a link state only when it differs: igb has no ndo_set_vf_link_state and refuses even "auto" (VF_DRIVER_CAPABILITIES)
          ...(vf.linkState !== null && vf.linkState !== defaults.linkState ? { state: defaults.linkState } : {}),
        }),
      );
      configured.push(vf.index);
    }
    return configured.length > 0 ? 'changed' : 'unchanged';
  });
  await steps.run('read back VF attributes', async () => {
    const vfs = (await readVfs(shell, [p.pf])).get(p.pf) ?? new Map<number, VfActual>();
    const wrong = configured.filter((i) => {
      const vf = vfs.get(i);
      return !vf || !matches(vf, defaults);
    });
    if (wrong.length > 0)
      throw new AgentError('VERIFY_MISMATCH', `${p.pf}: VF(s) ${wrong.join(', ')} differ from the requested attributes after ip link set`);
    return 'unchanged';
  });
  return { configured, skippedInUse };
}

/**
 * The kernel refuses a new non-zero sriov_numvfs while VFs exist (EBUSY), so a change
 * between two non-zero counts goes through 0. Idempotent: the same count is a no-op.
 * With vfDefaults (an SR-IOV policy), every free VF then gets the policy's attributes; VFs
 * the API says are allocated, and VFs carrying a MAC, are left alone.
 */
export const configureSriovHandler: JobHandler<'host.configureSriov'> = {
  mutating: true,
  stepCount: (p) => (p.vfDefaults ? 5 : 3),
  async run(p, ctx) {
    try {
      return await configure(p, ctx);
    } finally {
      await ctx.vfClaims.thaw(p.pf);
    }
  },
};
