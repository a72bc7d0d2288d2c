/**
 * @netpin/libvirt-xml: PURE libvirt domain XML for netpin VMs.
 *
 * - `DomainSpec`: the part of a domain netpin decides (memory, vCPUs, pinning, NUMA,
 *   huge pages, guest CPU, and SR-IOV / macvtap / bridge / OVS interfaces).
 * - `renderDomain(spec)`: XML for `virsh define` (xmlbuilder2; validated against libvirt's
 *   schema by the golden files in __golden__ and tools/libvirt-schema).
 * - `renderInterfaceDevice(nic)`: one `<interface>` alone, for `virsh attach-device` (hot-plug).
 * - `parseDomain(xml)`: `virsh dumpxml` back into a DomainSpec, ignoring what libvirt adds.
 *   parseDomain(renderDomain(s)) deep-equals normaliseDomain(s) for every valid s.
 * - `diffDomain(desired, actual)`: drift as {path, expected, actual} entries.
 * Errors are `LibvirtXmlError` (code LIBVIRT_XML_INVALID) with the offending path.
 */
export * from './model';
export { renderDomain, renderInterfaceDevice } from './render';
export { parseDomain } from './parse';
export { diffDomain, type DomainDifference } from './diff';
export { normaliseDomain } from './normalise';
export { domainSpecFromPlan, PlanToDomainError, resolveVdpaSources, type DomainFromPlanOptions } from './from-plan';
export { domainXmlContainment, parseDomainTree, rawDomainTree, type XmlDifference, type XmlNode } from './meaning';
export { verifyDomainXml } from './verify';
export { DomainXmlMemo } from './memo';
export { answerView, projectOnto, viewDifferences } from './spelling';
export { liveBridgePorts, liveInterfaceAliases, type BridgePort, type LiveInterfaceAlias } from './live';
export { KVM_PAIR_NOT_RECORDED } from './golden-cases';
