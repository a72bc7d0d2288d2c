import { verifyDomainXml } from '@netpin/libvirt-xml';

/** The verify step's domain comparison (by meaning; @netpin/libvirt-xml verify.ts). */
export const domainXmlDiff = verifyDomainXml;
