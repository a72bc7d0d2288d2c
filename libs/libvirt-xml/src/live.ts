import { XMLParser } from 'fast-xml-parser';

/** A tap libvirt plugged into a Linux bridge for a running guest. */
export interface BridgePort {
  /** The tap (`<target dev>`), e.g. vnet0. */
  dev: string;
  /** The Linux bridge it must be a port of (`<source bridge>`). */
  bridge: string;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  isArray: (name) => name === 'interface' || name === 'virtualport',
});

interface LiveInterface {
  type?: string;
  source?: { bridge?: string };
  target?: { dev?: string };
  virtualport?: { type?: string }[];
}

function isLiveInterface(v: unknown): v is LiveInterface {
  return typeof v === 'object' && v !== null;
}

/**
 * The Linux bridge ports of a running domain, read from its live XML (`virsh dumpxml`,
 * not --inactive: only a running guest has taps and `<target dev>`). Interfaces on an Open
 * vSwitch bridge (`<virtualport type='openvswitch'>`) are OVS ports, not Linux bridge ports,
 * and are left out, as is any interface libvirt has not given a tap.
 */
export function liveBridgePorts(liveXml: string): BridgePort[] {
  const doc: unknown = parser.parse(liveXml);
  const ifaces: unknown = (doc as { domain?: { devices?: { interface?: unknown } } }).domain?.devices?.interface;
  if (!Array.isArray(ifaces)) return [];
  const out: BridgePort[] = [];
  for (const i of ifaces) {
    if (!isLiveInterface(i) || i.type !== 'bridge') continue;
    if ((i.virtualport ?? []).some((v) => v.type === 'openvswitch')) continue;
    const dev = i.target?.dev;
    const bridge = i.source?.bridge;
    if (dev !== undefined && bridge !== undefined) out.push({ dev, bridge });
  }
  return out;
}

/** An interface of a running domain as libvirt names it: the device alias detach-device-alias takes. */
export interface LiveInterfaceAlias {
  type: string;
  mac: string;
  alias: string | null;
}

/**
 * Every interface of a running domain with its MAC (lower case) and libvirt alias, from the
 * live XML: a failover pair's members share a MAC, the alias tells the VF (hostdev) apart.
 */
export function liveInterfaceAliases(liveXml: string): LiveInterfaceAlias[] {
  const doc: unknown = parser.parse(liveXml);
  const ifaces: unknown = (doc as { domain?: { devices?: { interface?: unknown } } }).domain?.devices?.interface;
  if (!Array.isArray(ifaces)) return [];
  return ifaces.filter(isLiveInterface).map((i) => {
    const x = i as LiveInterface & { mac?: { address?: string }; alias?: { name?: string } };
    return { type: x.type ?? '', mac: (x.mac?.address ?? '').toLowerCase(), alias: x.alias?.name ?? null };
  });
}
