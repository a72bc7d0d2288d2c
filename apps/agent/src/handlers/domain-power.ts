import type { DomainName } from '@netpin/contracts';
import { virshDestroy, virshShutdown, virshUndefine } from '@netpin/host-ops';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentError } from '../errors';
import type { HostShell } from '../host-shell';
import type { StepOutcome } from '../steps';
import { readDomain, readDomainState, type DomainActual } from './host-state';
import { foreignDomain, isOurs } from './ownership';

/** How often a graceful shutdown looks whether the guest has powered off. */
export const SHUTDOWN_POLL_MS = 250;

/** The VM's domain as the host has it; a same-named domain without this VM's mark is refused (FOREIGN_DOMAIN). */
export async function ownedDomain(shell: HostShell, name: DomainName, vmId: string): Promise<DomainActual> {
  const dom = await readDomain(shell, name);
  if (dom.defined && !isOurs(dom, vmId)) throw foreignDomain(name, vmId);
  return dom;
}

const isOff = (d: Pick<DomainActual, 'defined' | 'state'>): boolean => !d.defined || d.state === 'shut off';

/**
 * Ask the guest to power off (`virsh shutdown`, ACPI) and wait up to `timeoutMs` for the
 * domain to be shut off. 'off': it was or it went; 'still running': the guest ignored the
 * request (no ACPI handling, hung, or slower than the timeout). A host that refuses the
 * request fails with COMMAND_FAILED and the host's stderr.
 */
export async function shutdownAndWait(
  shell: HostShell,
  name: DomainName,
  vmId: string,
  timeoutMs: number,
): Promise<'off' | 'went off' | 'still running'> {
  if (isOff(await ownedDomain(shell, name, vmId))) return 'off';
  await shell.run(virshShutdown(name));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (isOff(await readDomainState(shell, name))) return 'went off';
    const left = deadline - Date.now();
    if (left <= 0) return 'still running';
    await sleep(Math.min(SHUTDOWN_POLL_MS, left));
  }
}

/** `virsh destroy` (power cut) when the domain is still on, then check it is off. */
export async function destroyIfRunning(shell: HostShell, name: DomainName, vmId: string): Promise<StepOutcome> {
  if (isOff(await ownedDomain(shell, name, vmId))) return 'unchanged';
  await shell.run(virshDestroy(name));
  const after = await readDomainState(shell, name);
  if (!isOff(after)) throw new AgentError('VERIFY_MISMATCH', `domain ${name} is ${after.state ?? 'unknown'} after virsh destroy`);
  return 'changed';
}

/** Forget the definition of a shut-off domain netpin owns for this VM; someone else's is left alone. */
export async function undefineOwnedDomain(shell: HostShell, name: DomainName, vmId: string): Promise<StepOutcome> {
  const dom = await readDomain(shell, name);
  if (!isOurs(dom, vmId)) return 'unchanged';
  await shell.run(virshUndefine(name));
  if ((await readDomainState(shell, name)).defined)
    throw new AgentError('VERIFY_MISMATCH', `domain ${name} is still defined after virsh undefine`);
  return 'changed';
}
