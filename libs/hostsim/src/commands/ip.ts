import { macAddressSchema, vfKnobRefusal, type VfKnob } from '@netpin/contracts';
import { ERRNO_TEXT } from '../errors';
import type { HostModel, NicState, TapDevice, VfState } from '../model';
import { type CommandHandler, type CommandResult, fail, ok } from './types';

/** `ip` from iproute2 6.x: `link show` (with VF lines) and `link set ... vf N ...`. */

function vfLine(vf: VfState): string {
  const parts = [`    vf ${vf.index}     link/ether ${vf.mac} brd ff:ff:ff:ff:ff:ff`];
  if (vf.vlan !== 0) parts.push(`vlan ${vf.vlan}`);
  if (vf.qos !== 0) parts.push(`qos ${vf.qos}`);
  // iproute2 print_vfinfo: ", vlan protocol %s" whenever the VLAN list's protocol is not 802.1Q
  if (vf.vlanProto !== '802.1Q') parts.push(`vlan protocol ${vf.vlanProto}`);
  if (vf.maxTxRate !== 0) parts.push(`max_tx_rate ${vf.maxTxRate}Mbps`);
  if (vf.minTxRate !== 0) parts.push(`min_tx_rate ${vf.minTxRate}Mbps`);
  parts.push(`spoof checking ${vf.spoofchk ? 'on' : 'off'}`, `link-state ${vf.linkState}`, `trust ${vf.trust ? 'on' : 'off'}`);
  return parts.join(', ');
}

interface Link {
  index: number;
  name: string;
  type: 'loopback' | 'nic' | 'bridge' | 'ovs' | 'tap' | 'macvtap';
  text: (details: boolean) => string;
}

function links(m: HostModel): Link[] {
  const out: Link[] = [];
  out.push({
    index: 1,
    name: 'lo',
    type: 'loopback',
    text: () =>
      '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n',
  });
  const masterOf = (name: string): string | undefined => m.spec.bridges.find((b) => b.ports.some((p) => p === name))?.name;
  for (const nic of m.nics) {
    const sp = nic.spec;
    out.push({
      index: nic.ifindex,
      name: sp.name,
      type: 'nic',
      text: (d) => {
        const master = masterOf(sp.name);
        const ovs = master !== undefined && m.bridge(master)?.kind === 'ovs';
        let s = `${nic.ifindex}: ${sp.name}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu ${nic.mtu} qdisc mq${master ? ` master ${ovs ? 'ovs-system' : master}` : ''} state UP mode DEFAULT group default qlen 1000\n`;
        s += `    link/ether ${sp.mac} brd ff:ff:ff:ff:ff:ff`;
        if (d) {
          s += ` promiscuity ${master ? 1 : 0}  allmulti 0 minmtu 68 maxmtu ${sp.maxMtu}`;
          if (master)
            s += ovs
              ? ' \n    openvswitch_slave'
              : ' \n    bridge_slave state forwarding priority 32 cost 2 hairpin off guard off root_block off fastleave off learning on flood on';
          s += ` addrgenmode eui64 numtxqueues ${sp.maxCombined} numrxqueues ${sp.maxCombined} gso_max_size 65536 gso_max_segs 65535 tso_max_size 65536 tso_max_segs 65535 gro_max_size 65536 parentbus pci parentdev ${sp.pciAddress} `;
        }
        s += '\n';
        for (const vf of nic.vfs) s += `${vfLine(vf)}\n`;
        return s;
      },
    });
  }
  let idx = m.nics.length + 2;
  if (m.spec.ovs) {
    const i = idx++;
    out.push({
      index: i,
      name: 'ovs-system',
      type: 'ovs',
      text: (d) =>
        `${i}: ovs-system: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 6a:2f:41:0c:9e:${i.toString(16).padStart(2, '0')} brd ff:ff:ff:ff:ff:ff${d ? ' promiscuity 1  allmulti 0 minmtu 68 maxmtu 65535 \n    openvswitch addrgenmode eui64 numtxqueues 1 numrxqueues 1 ' : ''}\n`,
    });
  }
  for (const b of m.spec.bridges) {
    const i = idx++;
    // A Linux bridge takes the lowest MAC of its ports (no port: a random one, here fixed).
    const portMacs = b.kind === 'linux' ? m.nics.filter((n) => b.ports.includes(n.spec.name)).map((n) => n.spec.mac.toLowerCase()) : [];
    const mac = portMacs.sort()[0] ?? `02:b0:00:00:00:${i.toString(16).padStart(2, '0')}`;
    const kindLine =
      b.kind === 'linux'
        ? ' promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n    bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0 priority 32768 vlan_filtering 0 vlan_protocol 802.1Q addrgenmode eui64 numtxqueues 1 numrxqueues 1 '
        : ' promiscuity 1  allmulti 0 minmtu 68 maxmtu 65535 \n    openvswitch addrgenmode eui64 numtxqueues 1 numrxqueues 1 ';
    out.push({
      index: i,
      name: b.name,
      type: b.kind === 'linux' ? 'bridge' : 'ovs',
      text: (d) =>
        `${i}: ${b.name}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state ${b.kind === 'linux' ? 'UP' : 'UNKNOWN'} mode DEFAULT group default qlen 1000\n    link/ether ${mac} brd ff:ff:ff:ff:ff:ff${d ? kindLine : ''}\n`,
    });
  }
  for (const t of m.taps) {
    const i = idx++;
    out.push({ index: i, name: t.name, type: t.kind, text: (d) => tapText(m, t, i, d) });
  }
  return out;
}

const GSO = 'gso_max_size 65536 gso_max_segs 65535';

/**
 * A domain's tap (bridge port) or macvtap as iproute2 6.1 prints it on kernel 6.x: a tap is
 * a tun device (multi-queue ones have 256 queues) with the bridge_slave details of its port;
 * a macvtap names its lower device and mode.
 */
function tapText(m: HostModel, t: TapDevice, i: number, details: boolean): string {
  if (t.kind === 'macvtap') {
    const head = `${i}: ${t.name}@${t.lower ?? ''}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu ${t.mtu} qdisc noqueue state UP mode DEFAULT group default qlen 500\n    link/ether ${t.mac} brd ff:ff:ff:ff:ff:ff`;
    if (!details) return `${head}\n`;
    return `${head} promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n    macvtap mode ${t.mode ?? 'vepa'} bcqueuelen 1000 usedbcqueuelen 1000 addrgenmode eui64 numtxqueues 1 numrxqueues 1 ${GSO} tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n`;
  }
  const ovs = t.master !== undefined && m.bridge(t.master)?.kind === 'ovs';
  const master = t.master ? ` master ${ovs ? 'ovs-system' : t.master}` : '';
  const head = `${i}: ${t.name}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu ${t.mtu} qdisc noqueue${master} state UNKNOWN mode DEFAULT group default qlen 1000\n    link/ether fe${t.mac.slice(2)} brd ff:ff:ff:ff:ff:ff`;
  if (!details) return `${head}\n`;
  const tun = `tun type tap pi off vnet_hdr on ${t.multiQueue === true ? 'multi_queue numqueues 1 numdisabled 1 ' : ''}persist off `;
  const port = ovs
    ? 'openvswitch_slave'
    : t.master
      ? 'bridge_slave state forwarding priority 32 cost 2 hairpin off guard off root_block off fastleave off learning on flood on'
      : '';
  const q = t.multiQueue === true ? 256 : 1;
  return `${head} promiscuity 1  allmulti 1 minmtu 68 maxmtu 65521 \n    ${tun}\n    ${port} addrgenmode eui64 numtxqueues ${q} numrxqueues ${q} ${GSO} tso_max_size 65536 tso_max_segs 65535 gro_max_size 65536 \n`;
}

function linkShow(m: HostModel, args: string[], details: boolean): CommandResult {
  let dev: string | undefined;
  let type: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === 'dev') dev = args[++i];
    else if (args[i] === 'type') type = args[++i];
    else if (args[i] === 'up') continue;
    else if (dev === undefined) dev = args[i];
  }
  let all = links(m);
  if (dev !== undefined) {
    all = all.filter((l) => l.name === dev);
    if (all.length === 0) return fail(1, `Device "${dev}" does not exist.`);
  }
  if (type !== undefined) {
    const want = type === 'bridge' ? ['bridge'] : type === 'openvswitch' ? ['ovs'] : [type];
    all = all.filter((l) => want.includes(l.type));
  }
  return ok(all.map((l) => l.text(details)).join(''));
}

const rtnl = (text: string): CommandResult => fail(2, `RTNETLINK answers: ${text}`);
/** iproute2's invarg(): its iplink messages end in a newline of their own, so a blank line follows (as real ip 6.1 prints). */
const invarg = (what: string, value: string | undefined): CommandResult =>
  fail(255, `Error: argument "${value ?? ''}" is wrong: Invalid "${what}" value\n\n`);

function onOff(v: string | undefined): boolean | undefined {
  return v === 'on' ? true : v === 'off' ? false : undefined;
}

const VF_KEYWORD_KNOBS: Readonly<Record<string, VfKnob>> = {
  trust: 'trust',
  spoofchk: 'spoofchk',
  state: 'linkState',
  query_rss: 'queryRss',
};

/**
 * The errno the PF's driver answers for a knob it refuses, from the same table placement
 * reads (VF_DRIVER_CAPABILITIES): min_tx_rate only when non-zero, as the drivers check.
 */
function driverRefusal(nic: NicState, knobs: Set<VfKnob>, min: number): CommandResult | null {
  if (min !== 0) knobs.add('minTxRate');
  for (const k of knobs) {
    const r = vfKnobRefusal(nic.spec.driver, k);
    if (r) return rtnl(ERRNO_TEXT[r.errno]);
  }
  return null;
}

/** What one `ip link set PF vf N ...` asks for: the changes, the knobs the driver must allow, the rates. */
interface VfRequest {
  changes: ((vf: VfState) => void)[];
  knobs: Set<VfKnob>;
  /** `vlan N` and its `proto` (iproute2 sends 802.1Q unless told otherwise). */
  vlan?: number;
  proto?: VfState['vlanProto'];
  max?: number;
  min?: number;
}

/** One `attr value` pair of `ip link set PF vf N`: recorded in the request, or the error ip prints for it. */
function vfAttr(req: VfRequest, key: string, val: string | undefined): CommandResult | null {
  switch (key) {
    case 'mac': {
      if (val === undefined || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(val)) return fail(1, `"${val ?? ''}" is invalid lladdr.`);
      const parsed = macAddressSchema.safeParse(val);
      if (!parsed.success) return rtnl('Invalid argument');
      req.changes.push((vf) => (vf.mac = parsed.data));
      return null;
    }
    case 'vlan': {
      // iproute2 6.1 refuses a VLAN above 4095 itself, before the kernel sees it
      if (val === undefined || !/^\d+$/.test(val) || Number(val) > 4095) return invarg('vlan', val);
      req.vlan = Number(val);
      return null;
    }
    case 'qos': {
      // iproute2 reads `vlan N [qos Q] [proto P]` in that order: a qos after proto is not the VF's any more
      if (req.proto !== undefined) return fail(255, 'Error: either "dev" is duplicate, or "qos" is a garbage.');
      if (val === undefined || !/^\d+$/.test(val)) return invarg('qos', val);
      const n = Number(val);
      if (n > 7) return rtnl('Invalid argument');
      req.changes.push((vf) => (vf.qos = n));
      return null;
    }
    case 'proto': {
      // without a vlan before it iproute2 6.1 does not take proto as the VF's
      if (req.vlan === undefined) return fail(255, 'Command line is not complete. Try option "help"');
      const proto = val?.toLowerCase();
      if (proto !== '802.1q' && proto !== '802.1ad') return fail(255, `Error: argument "${val ?? ''}" is wrong: protocol is invalid\n\n`);
      if (proto === '802.1ad') req.knobs.add('vlanProto8021ad');
      req.proto = proto === '802.1ad' ? '802.1ad' : '802.1Q';
      return null;
    }
    case 'spoofchk':
    case 'trust':
    case 'query_rss': {
      const b = onOff(val);
      if (b === undefined) return invarg(key, val);
      req.knobs.add(VF_KEYWORD_KNOBS[key]);
      if (key !== 'query_rss') req.changes.push((vf) => (key === 'trust' ? (vf.trust = b) : (vf.spoofchk = b)));
      return null;
    }
    case 'state': {
      if (val !== 'auto' && val !== 'enable' && val !== 'disable') return invarg('state', val);
      req.knobs.add('linkState');
      req.changes.push((vf) => (vf.linkState = val));
      return null;
    }
    case 'rate':
    case 'max_tx_rate':
    case 'min_tx_rate': {
      if (val === undefined || !/^\d+$/.test(val)) return invarg(key, val);
      if (key === 'min_tx_rate') req.min = Number(val);
      else req.max = Number(val);
      return null;
    }
    default:
      return fail(255, `Error: argument "${key}" is wrong: unknown vf parameter`);
  }
}

/** `ip link set PF vf N attr value...`: every attribute is checked before any is applied. */
function linkSetVf(nic: NicState, args: string[]): CommandResult {
  const idxText = args[0];
  if (idxText === undefined || !/^\d+$/.test(idxText)) return invarg('vf', idxText);
  const req: VfRequest = { changes: [], knobs: new Set<VfKnob>() };
  for (let i = 1; i < args.length; i += 2) {
    const bad = vfAttr(req, args[i], args[i + 1]);
    if (bad) return bad;
  }
  const { changes, knobs, max, min } = req;
  const { vlan, proto = '802.1Q' } = req;
  if (vlan !== undefined)
    changes.push((v) => {
      v.vlan = vlan;
      v.vlanProto = proto;
    });
  if (nic.spec.sriovTotalVfs === 0) return rtnl('Operation not supported');
  const vf = nic.vfs[Number(idxText)];
  if (!vf) return rtnl('Invalid argument');
  const refused = driverRefusal(nic, knobs, max !== undefined || min !== undefined ? (min ?? vf.minTxRate) : 0);
  if (refused) return refused;
  if (max !== undefined || min !== undefined) {
    const newMax = max ?? vf.maxTxRate;
    const newMin = min ?? vf.minTxRate;
    // every driver bounds rates by link speed
    if (newMax > nic.spec.speedMbps || newMin > nic.spec.speedMbps || (newMax !== 0 && newMin > newMax)) return rtnl('Invalid argument');
    changes.push((v) => {
      v.maxTxRate = newMax;
      v.minTxRate = newMin;
    });
  }
  for (const c of changes) c(vf);
  return ok();
}

function linkSet(m: HostModel, args: string[]): CommandResult {
  const rest = args[0] === 'dev' ? args.slice(1) : args;
  const name = rest[0];
  if (name === undefined) return fail(1, 'Not enough information: "dev" argument is required.');
  const nic = m.nic(name);
  const isOther = m.spec.bridges.some((b) => b.name === name) || m.taps.some((t) => t.name === name) || name === 'lo';
  if (!nic && !isOther) return fail(1, `Cannot find device "${name}"`);
  const tail = rest.slice(1);
  if (tail[0] === 'vf') return nic ? linkSetVf(nic, tail.slice(1)) : rtnl('Operation not supported');
  if (tail[0] === 'master' || tail[0] === 'nomaster') return linkSetMaster(m, name, tail);
  if (tail[0] === 'mtu') return linkSetMtu(m, name, tail[1]);
  for (const t of tail) if (!['up', 'down'].includes(t)) return fail(255, `Error: either "dev" is duplicate, or "${t}" is a garbage.`);
  return ok();
}

/**
 * `ip link set dev X mtu N` as the kernel answers it (compared with real ip on veth and macvtap
 * in tools/realhost differential): outside the device's minmtu..maxmtu is refused by the core
 * ("Error: mtu greater than device maximum."); a macvtap cannot exceed its lower device
 * (macvlan_change_mtu: EINVAL), and lowering a NIC drags its macvtaps down with it (the
 * kernel's NETDEV_CHANGEMTU notifier); raising it leaves them where they are.
 */
function linkSetMtu(m: HostModel, name: string, raw: string | undefined): CommandResult {
  if (raw === undefined) return fail(255, 'Command line is not complete. Try option "help"');
  if (!/^\d+$/.test(raw)) return fail(255, `Error: argument "${raw}" is wrong: Invalid "mtu" value`);
  const mtu = Number(raw);
  const nic = m.nic(name);
  const tap = m.taps.find((t) => t.name === name);
  const max = nic ? nic.spec.maxMtu : tap?.kind === 'tap' ? 65521 : 65535;
  if (mtu > max) return fail(2, 'Error: mtu greater than device maximum.');
  if (mtu < 68) return fail(2, 'Error: mtu less than device minimum.');
  if (tap?.kind === 'macvtap' && mtu > (m.nic(tap.lower ?? '')?.mtu ?? 1500)) return rtnl('Invalid argument');
  if (tap) tap.mtu = mtu;
  if (nic) {
    nic.mtu = mtu;
    for (const t of m.taps) if (t.kind === 'macvtap' && t.lower === name && t.mtu > mtu) t.mtu = mtu;
  }
  return ok();
}

/**
 * `ip link set dev TAP master BRIDGE | nomaster`, for the taps libvirt made, as iproute2
 * answers: a missing bridge is exit 255 "Device does not exist"; nomaster on a port that is
 * not enslaved succeeds.
 */
function linkSetMaster(m: HostModel, name: string, tail: string[]): CommandResult {
  const tap = m.taps.find((t) => t.name === name);
  if (tail[0] === 'master') {
    const br = tail[1];
    if (br === undefined) return fail(255, 'Command line is not complete. Try option "help"');
    if (m.bridge(br)?.kind !== 'linux') return fail(255, `Error: argument "${br}" is wrong: Device does not exist`);
    if (tap === undefined) return rtnl('Operation not supported');
    tap.master = br;
    return ok();
  }
  if (tap !== undefined) tap.master = undefined;
  return ok();
}

export const ip: CommandHandler = (args, ctx) => {
  let details = false;
  let i = 0;
  for (; i < args.length && args[i].startsWith('-'); i++) {
    const o = args[i];
    if (o === '-d' || o === '-details' || o === '--details') details = true;
    else if (o !== '-0' && o !== '-o') return fail(255, `Option "${o}" is unknown, try "ip -help".`);
  }
  const [obj, verb, ...rest] = args.slice(i);
  if (obj !== 'link' && obj !== 'l') return fail(255, `Object "${obj ?? ''}" is unknown, try "ip help".`);
  if (verb === undefined || verb === 'show' || verb === 'list' || verb === 'ls') return linkShow(ctx.model, rest, details);
  if (verb === 'set') return linkSet(ctx.model, rest);
  return fail(255, `Command "${verb}" is unknown, try "ip link help".`);
};
