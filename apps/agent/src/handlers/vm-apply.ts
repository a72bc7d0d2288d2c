import { anyMacSchema, VF_CLEAN_DEFAULTS, vlanIdSchema, type IfName, type VmTeardownPayload } from '@netpin/contracts';
import { virshDefine, virshDestroy, virshStart, virshUndefine } from '@netpin/host-ops';
import { AgentError } from '../errors';
import { domainXmlDiff } from './domain-compare';
import { readCpuCount, readDomain } from './host-state';
import type { JobHandler } from './types';
import { diffDomain, diffIrqs, diffRps, diffVfs, ensureIrqs, ensureRps, ensureVfs } from './vm-state';

/**
 * vm.apply: host-side plumbing first (VFs, IRQs, RPS), so that a guest never starts on a
 * half-configured datapath; then the definition, then the start.
 */
export const vmApplyHandler: JobHandler<'vm.apply'> = {
  mutating: true,
  stepCount: (p) => (p.start ? 5 : 4),
  async run(p, { shell, steps }) {
    await steps.run('VF attributes', () => ensureVfs(shell, p.vfs));
    await steps.run('IRQ affinity', () => ensureIrqs(shell, p.irqAffinity));
    await steps.run('RPS masks', () => ensureRps(shell, p.rps));
    await steps.run('define domain', async () => {
      const dom = await readDomain(shell, p.vmName);
      if (dom.defined && dom.inactiveXml !== null && domainXmlDiff(p.domainXml, dom.inactiveXml).length === 0) return 'unchanged';
      await shell.run(virshDefine(p.domainXml));
      const after = await readDomain(shell, p.vmName);
      if (!after.defined)
        throw new AgentError('VERIFY_MISMATCH', `domain ${p.vmName} is not defined after virsh define (does the XML name it ${p.vmName}?)`);
      return 'changed';
    });
    let running = false;
    if (p.start) {
      await steps.run('start domain', async () => {
        const dom = await readDomain(shell, p.vmName);
        if (dom.state === 'running') {
          running = true;
          return 'unchanged';
        }
        await shell.run(virshStart(p.vmName));
        const after = await readDomain(shell, p.vmName);
        if (after.state !== 'running')
          throw new AgentError('VERIFY_MISMATCH', `domain ${p.vmName} is ${after.state ?? 'gone'} after virsh start`);
        running = true;
        return 'changed';
      });
    } else {
      running = (await readDomain(shell, p.vmName)).state === 'running';
    }
    return { vmName: p.vmName, changed: steps.changed, running };
  },
};

/** vm.verify: read-only; reports every field that differs from the desired state. */
export const vmVerifyHandler: JobHandler<'vm.verify'> = {
  mutating: false,
  stepCount: () => 4,
  async run(p, { shell, steps }) {
    const diff: Awaited<ReturnType<typeof diffVfs>> = [];
    await steps.run('read VF attributes', async () => {
      diff.push(...(await diffVfs(shell, p.vfs)));
      return 'unchanged';
    });
    await steps.run('read IRQ affinity', async () => {
      diff.push(...(await diffIrqs(shell, p.irqAffinity)));
      return 'unchanged';
    });
    await steps.run('read RPS masks', async () => {
      diff.push(...(await diffRps(shell, p.rps)));
      return 'unchanged';
    });
    await steps.run('read domain', async () => {
      diff.push(...(await diffDomain(shell, p)));
      return 'unchanged';
    });
    return { vmName: p.vmName, inSync: diff.length === 0, diff };
  },
};

function cleanVf(v: { pf: IfName; vfIndex: number }) {
  return {
    ...VF_CLEAN_DEFAULTS,
    pf: v.pf,
    vfIndex: v.vfIndex,
    mac: anyMacSchema.parse(VF_CLEAN_DEFAULTS.mac),
    vlan: vlanIdSchema.parse(VF_CLEAN_DEFAULTS.vlan),
  };
}

/** vm.teardown: stop, forget, and hand the VFs back clean. Each step is a no-op when already done. */
export const vmTeardownHandler: JobHandler<'vm.teardown'> = {
  mutating: true,
  stepCount: () => 5,
  async run(p: VmTeardownPayload, { shell, steps }) {
    await steps.run('destroy domain', async () => {
      const dom = await readDomain(shell, p.vmName);
      if (!dom.defined || dom.state === 'shut off') return 'unchanged';
      await shell.run(virshDestroy(p.vmName));
      return 'changed';
    });
    await steps.run('undefine domain', async () => {
      const dom = await readDomain(shell, p.vmName);
      if (!dom.defined) return 'unchanged';
      await shell.run(virshUndefine(p.vmName));
      if ((await readDomain(shell, p.vmName)).defined)
        throw new AgentError('VERIFY_MISMATCH', `domain ${p.vmName} is still defined after virsh undefine`);
      return 'changed';
    });
    await steps.run('reset VFs', () => ensureVfs(shell, p.vfs.map(cleanVf)));
    await steps.run('release IRQs', async () => {
      if (p.irqs.length === 0) return 'unchanged';
      const all = Array.from({ length: await readCpuCount(shell) }, (_, i) => i);
      return ensureIrqs(
        shell,
        p.irqs.map((irq) => ({ irq, cpus: all })),
      );
    });
    await steps.run('clear RPS', () =>
      ensureRps(
        shell,
        p.rps.map((r) => ({ ...r, cpus: [] })),
      ),
    );
    return { vmName: p.vmName, changed: steps.changed };
  },
};
