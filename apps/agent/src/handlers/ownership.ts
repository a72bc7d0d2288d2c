import type { DomainName } from '@netpin/contracts';
import { DomainXmlMemo } from '@netpin/libvirt-xml';
import { AgentError } from '../errors';
import type { DomainActual } from './host-state';

/**
 * netpin touches only domains it defined for the VM at hand: the domain's <metadata>
 * carries netpin's mark with the VM id (and its uuid is the VM id). A same-named domain
 * without that mark belongs to someone else: never destroyed, undefined, redefined or
 * repaired. An unreadable definition is treated as foreign. `memo`: the job's parses.
 */
export function domainOwner(xml: string, memo = new DomainXmlMemo()): string | null {
  try {
    const spec = memo.domain(xml);
    return spec.owner?.vmId ?? null;
  } catch {
    return null;
  }
}

export function isOurs(dom: DomainActual, vmId: string, memo?: DomainXmlMemo): boolean {
  return dom.defined && dom.inactiveXml !== null && domainOwner(dom.inactiveXml, memo) === vmId.toLowerCase();
}

export function foreignDomain(name: DomainName, vmId: string): AgentError {
  return new AgentError(
    'FOREIGN_DOMAIN',
    `a domain named ${name} exists on this host without netpin's mark for VM ${vmId}: it is not netpin's, so it is left untouched`,
  );
}

/** The desired XML must carry the mark of the VM it is applied for, or nothing could prove ownership later. */
export function assertMarked(domainXml: string, vmId: string, memo?: DomainXmlMemo): void {
  if (domainOwner(domainXml, memo) !== vmId.toLowerCase())
    throw new AgentError('BAD_PAYLOAD', `domainXml does not carry netpin's ownership mark for VM ${vmId}`);
}
