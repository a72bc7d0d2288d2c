import { anyMacSchema, VF_LINK_STATES, type MacAddress, type VfFacts, type VfLinkState, type VlanProtocol } from '@netpin/contracts';
import { HostOutputParseError } from '../errors';
import { parseUint, splitLines } from './lines';

export type IpLinkVf = Omit<VfFacts, 'pciAddress'>;

export interface IpLink {
  index: number;
  name: string;
  /** "vlan100@ens1f0" -> parent "ens1f0". */
  parent: string | null;
  flags: string[];
  mtu: number;
  /** `maxmtu` of the details (-d): the most the driver takes; null when not printed. */
  maxMtu: number | null;
  state: string;
  master: string | null;
  /** ether, loopback, none ... */
  linkType: string;
  mac: MacAddress | null;
  /** Link kind from the details (bridge, tun, macvtap, openvswitch, veth ...); null for plain devices. */
  kind: string | null;
  /** bridge_slave, openvswitch_slave, bond_slave ... when enslaved. */
  slaveKind: string | null;
  numTxQueues: number | null;
  numRxQueues: number | null;
  /** iproute2 >= 5.x with -d: "parentbus pci parentdev 0000:3b:00.0". */
  parentBus: string | null;
  parentDev: string | null;
  vfs: IpLinkVf[];
  altNames: string[];
}

const SRC = 'ip -d link show';

/** `ip -d link show [dev X]` (iproute2 4.x-6.x text output). */
export function parseIpLinkShow(text: string): IpLink[] {
  const links: IpLink[] = [];
  let cur: IpLink | null = null;
  splitLines(text).forEach((line, i) => {
    const n = i + 1;
    if (line.trim() === '') return;
    if (!/^\s/.test(line)) {
      cur = parseHeader(line, n);
      links.push(cur);
      return;
    }
    if (cur === null) throw new HostOutputParseError(SRC, 'continuation line before any link', line, n);
    parseContinuation(cur, line, n);
  });
  return links;
}

function parseHeader(line: string, n: number): IpLink {
  const m = /^(\d+): ([^:@\s]+)(?:@([^:\s]+))?: <([^>]*)>(.*)$/.exec(line);
  if (!m) throw new HostOutputParseError(SRC, 'malformed link header', line, n);
  const kv = keyValues(m[5]);
  const mtu = kv.get('mtu');
  if (mtu === undefined) throw new HostOutputParseError(SRC, 'link header without mtu', line, n);
  return {
    index: Number(m[1]),
    name: m[2],
    parent: m[3] === undefined || m[3] === 'NONE' ? null : m[3],
    flags: m[4] === '' ? [] : m[4].split(','),
    mtu: parseUint(SRC, mtu, line, n),
    maxMtu: null,
    state: kv.get('state') ?? 'UNKNOWN',
    master: kv.get('master') ?? null,
    linkType: 'none',
    mac: null,
    kind: null,
    slaveKind: null,
    numTxQueues: null,
    numRxQueues: null,
    parentBus: null,
    parentDev: null,
    vfs: [],
    altNames: [],
  };
}

/** "mtu 1500 qdisc mq state UP" -> {mtu: 1500, ...}: word pairs after the flags. */
function keyValues(rest: string): Map<string, string> {
  const t = rest.trim().split(/\s+/);
  const out = new Map<string, string>();
  for (let i = 0; i + 1 < t.length; i += 2) out.set(t[i], t[i + 1]);
  return out;
}

function parseContinuation(link: IpLink, line: string, n: number): void {
  const body = line.trim();
  const vf = /^vf (\d+)\s+(.*)$/.exec(body);
  if (vf) {
    link.vfs.push(parseVf(Number(vf[1]), vf[2], line, n));
    return;
  }
  const alt = /^altname (\S+)$/.exec(body);
  if (alt) {
    link.altNames.push(alt[1]);
    return;
  }
  const ll = /^link\/(\S+)(?: ([0-9a-f]{2}(?::[0-9a-f]{2}){5}))?/.exec(body);
  if (ll) {
    link.linkType = ll[1];
    if (ll[2] !== undefined && ll[1] === 'ether') link.mac = anyMacSchema.parse(ll[2]);
  } else {
    const word = /^([a-z][a-z0-9_]*)\b/.exec(body)?.[1];
    if (word !== undefined && word !== 'addrgenmode' && word !== 'prop' && word !== 'alias') {
      if (word.endsWith('_slave')) link.slaveKind ??= word;
      else link.kind ??= word;
    }
  }
  const tokens = body.split(/\s+/);
  for (let i = 0; i + 1 < tokens.length; i++) {
    const v = tokens[i + 1];
    switch (tokens[i]) {
      case 'numtxqueues':
        link.numTxQueues = parseUint(SRC, v, line, n);
        break;
      case 'numrxqueues':
        link.numRxQueues = parseUint(SRC, v, line, n);
        break;
      case 'maxmtu':
        link.maxMtu = parseUint(SRC, v, line, n);
        break;
      case 'parentbus':
        link.parentBus = v;
        break;
      case 'parentdev':
        link.parentDev = v;
        break;
      default:
        break;
    }
  }
}

/**
 * One VF line after "vf N": comma-separated attributes. iproute2 >= 4.x starts with
 * "link/ether MAC brd BRD"; older versions with "MAC xx:..". Attributes it prints only
 * when set (vlan, qos, rates) default to 0; those the driver does not report stay null.
 */
function parseVf(index: number, rest: string, line: string, n: number): IpLinkVf {
  const parts = rest.split(/,\s*/);
  const first = /^(?:link\/ether|MAC) ([0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5})(?: brd \S+)?$/.exec(parts[0].trim());
  if (!first) throw new HostOutputParseError(SRC, 'VF line without a MAC address', line, n);
  const vf: IpLinkVf = {
    index,
    mac: anyMacSchema.parse(first[1]),
    vlan: 0,
    qos: 0,
    vlanProtocol: 'DOT1Q',
    spoofChk: null,
    trust: null,
    linkState: null,
    maxTxRateMbps: 0,
    minTxRateMbps: 0,
  };
  for (const raw of parts.slice(1)) {
    const p = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^vlan (\d+)$/.exec(p))) vf.vlan = parseUint(SRC, m[1], line, n);
    else if ((m = /^qos (\d+)$/.exec(p))) vf.qos = parseUint(SRC, m[1], line, n);
    else if ((m = /^vlan protocol (\S+)$/.exec(p))) vf.vlanProtocol = vlanProtocol(m[1], line, n);
    else if ((m = /^(?:max_tx_rate (\d+)Mbps|tx rate (\d+) \(Mbps\))$/.exec(p))) vf.maxTxRateMbps = parseUint(SRC, m[1] ?? m[2], line, n);
    else if ((m = /^min_tx_rate (\d+)Mbps$/.exec(p))) vf.minTxRateMbps = parseUint(SRC, m[1], line, n);
    else if ((m = /^spoof checking (on|off)$/.exec(p))) vf.spoofChk = m[1] === 'on';
    else if ((m = /^trust (on|off)$/.exec(p))) vf.trust = m[1] === 'on';
    else if ((m = /^link-state (\S+)$/.exec(p))) vf.linkState = linkState(m[1], line, n);
    // Other attributes (query_rss, node/port guid, newer additions) do not
    // matter for placement; ignoring them keeps newer iproute2 versions parseable.
  }
  return vf;
}

/** iproute2's ll_proto name of the VF's VLAN protocol (printed only when it is not 802.1Q). */
function vlanProtocol(s: string, line: string, n: number): VlanProtocol {
  if (s === '802.1ad') return 'DOT1AD';
  if (s === '802.1Q') return 'DOT1Q';
  throw new HostOutputParseError(SRC, `unknown VF vlan protocol "${s}"`, line, n);
}

function linkState(s: string, line: string, n: number): VfLinkState {
  const found = VF_LINK_STATES.find((x) => x === s);
  if (found === undefined) throw new HostOutputParseError(SRC, `unknown VF link-state "${s}"`, line, n);
  return found;
}
