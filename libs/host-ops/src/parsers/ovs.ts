import { ifNameSchema, OVS_DATAPATH_TYPES, type IfName, type OvsDatapathType } from '@netpin/contracts';
import { HostOutputParseError } from '../errors';
import { splitLines } from './lines';

/** `ovs-vsctl get Open_vSwitch . dpdk_initialized`: the column is a boolean, printed `true` or `false`. */
export function parseOvsBoolean(source: string, text: string): boolean {
  const t = text.trim();
  if (t === 'true') return true;
  if (t === 'false') return false;
  throw new HostOutputParseError(source, 'expected true or false', t, 1);
}

/**
 * `other_config:pmd-cpu-mask` as ovs-vsctl prints a map value: a quoted string of hex digits,
 * with or without 0x (`"0x6"`, `"f0"`); empty when the key is unset. Returns the CPU ids the
 * mask names, ascending, or null when unset.
 */
export function parsePmdCpuMask(text: string): number[] | null {
  const t = text.trim().replace(/^"(.*)"$/, '$1');
  if (t === '') return null;
  const hex = t.replace(/^0[xX]/, '');
  if (!/^[0-9a-fA-F]+$/.test(hex)) throw new HostOutputParseError('pmd-cpu-mask', 'not a hexadecimal CPU mask', t, 1);
  const cpus: number[] = [];
  const digits = hex.split('').reverse();
  digits.forEach((d, k) => {
    const v = parseInt(d, 16);
    for (let b = 0; b < 4; b++) if ((v >> b) & 1) cpus.push(k * 4 + b);
  });
  return cpus;
}

export interface OvsBridgeDatapath {
  name: IfName;
  datapathType: OvsDatapathType;
}

/** `list Bridge` as bare CSV, one `name,datapath_type` line per bridge; an empty type is the default, `system`. */
export function parseOvsBridgeDatapaths(text: string): OvsBridgeDatapath[] {
  return splitLines(text)
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      const [rawName, rawType = ''] = line.split(',');
      const name = ifNameSchema.safeParse(rawName.trim());
      if (!name.success) throw new HostOutputParseError('ovs-vsctl list Bridge', 'not a bridge name', line, i + 1);
      const type = rawType.trim() === '' ? 'system' : rawType.trim();
      const datapathType = OVS_DATAPATH_TYPES.find((x) => x === type);
      if (datapathType === undefined)
        throw new HostOutputParseError('ovs-vsctl list Bridge', `unknown datapath_type "${type}"`, line, i + 1);
      return { name: name.data, datapathType };
    });
}

export interface OvsVhostUserInterface {
  name: string;
  socketPath: string | null;
  /** The VM id netpin marked the port with; null on a port netpin did not create. */
  owner: string | null;
  /** ingress_policing_rate in kbit/s (0 = none); 0 when the column was not asked for. */
  policingKbps: number;
  /** mtu_request; null when unset or not asked for. */
  mtuRequest: number | null;
}

type OvsMap = ['map', [string, string][]];
const isMap = (v: unknown): v is OvsMap =>
  Array.isArray(v) && v[0] === 'map' && Array.isArray(v[1]) && (v[1] as unknown[]).every((e) => Array.isArray(e) && e.length === 2);

/** `ovs-vsctl --format=json --columns=name,options,external_ids find Interface ...`. */
export function parseOvsVhostUserInterfaces(text: string, ownerKey: string): OvsVhostUserInterface[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new HostOutputParseError('ovs-vsctl find Interface', 'not JSON', text.slice(0, 200), 1);
  }
  const d = doc as { headings?: unknown; data?: unknown };
  if (!Array.isArray(d.headings) || !Array.isArray(d.data))
    throw new HostOutputParseError('ovs-vsctl find Interface', 'no headings/data', text.slice(0, 200), 1);
  const col = (h: string) => (d.headings as unknown[]).indexOf(h);
  const [n, o, e, r, mr] = [col('name'), col('options'), col('external_ids'), col('ingress_policing_rate'), col('mtu_request')];
  if (n < 0 || o < 0 || e < 0) throw new HostOutputParseError('ovs-vsctl find Interface', 'missing columns', text.slice(0, 200), 1);
  return (d.data as unknown[][]).map((row, i) => {
    const name = row[n];
    const options = row[o];
    const ids = row[e];
    if (typeof name !== 'string' || !isMap(options) || !isMap(ids))
      throw new HostOutputParseError('ovs-vsctl find Interface', 'unexpected row', JSON.stringify(row), i + 1);
    const get = (m: OvsMap, k: string) => m[1].find(([key]) => key === k)?.[1] ?? null;
    const rate = r < 0 ? 0 : row[r];
    if (typeof rate !== 'number')
      throw new HostOutputParseError('ovs-vsctl find Interface', 'ingress_policing_rate is not a number', JSON.stringify(row), i + 1);
    // an unset optional integer column is the empty set ["set", []]
    const mtu = mr < 0 ? null : row[mr];
    if (mtu !== null && typeof mtu !== 'number' && !(Array.isArray(mtu) && mtu[0] === 'set'))
      throw new HostOutputParseError('ovs-vsctl find Interface', 'mtu_request is not a number', JSON.stringify(row), i + 1);
    const mtuRequest = typeof mtu === 'number' ? mtu : null;
    return { name, socketPath: get(options, 'vhost-server-path'), owner: get(ids, ownerKey), policingKbps: rate, mtuRequest };
  });
}

export interface OvsPortPlacement {
  bridge: string;
  /** `tag`: the access VLAN, or a trunk's native VLAN; null = none. */
  vlan: number | null;
  /** `trunks`, ascending; empty = none. */
  trunks: number[];
  /** `vlan_mode`; null = unset (OVS then means access with a tag, trunk without). */
  vlanMode: string | null;
}

/**
 * `port-to-br P -- get Port P tag trunks vlan_mode`: the bridge, the tag (`[]` = none), the
 * trunks (`[10, 20]`, `[]`) and vlan_mode (`native-untagged`, `[]`); null when there is no such port.
 * Only the first two lines are required (an older call asked for the tag alone).
 */
export function parseOvsPortPlacement(out: { stdout: string; exitCode: number }): OvsPortPlacement | null {
  if (out.exitCode !== 0) return null;
  const [bridge = '', tag = '', trunks = '[]', mode = '[]'] = splitLines(out.stdout).map((l) => l.trim());
  if (bridge === '') throw new HostOutputParseError('ovs-vsctl port-to-br', 'no bridge name', out.stdout, 1);
  if (tag !== '[]' && !/^\d+$/.test(tag)) throw new HostOutputParseError('ovs-vsctl get Port tag', 'expected a VLAN id or []', tag, 2);
  const list = /^\[(\d+(?:, \d+)*)?\]$/.exec(trunks);
  if (!list) throw new HostOutputParseError('ovs-vsctl get Port trunks', 'expected [N, N, ...]', trunks, 3);
  if (mode !== '[]' && !/^[a-z0-9-]+$/.test(mode))
    throw new HostOutputParseError('ovs-vsctl get Port vlan_mode', 'expected a mode or []', mode, 4);
  return {
    bridge,
    vlan: tag === '[]' ? null : Number(tag),
    trunks: list[1] === undefined ? [] : list[1].split(', ').map(Number),
    vlanMode: mode === '[]' ? null : mode,
  };
}
