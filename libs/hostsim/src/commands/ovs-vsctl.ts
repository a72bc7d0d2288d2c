import type { HostModel, OvsPort } from '../model';
import { type CommandHandler, fail, ok } from './types';

/**
 * ovs-vsctl as Open vSwitch 3.1 documents it (ovs-vsctl(8)), for the commands netpin runs:
 * list-br, br-exists, list-ports, show, port-to-br, add-port, del-port, get, set, clear, and
 * list/find with --format=csv|json, --data=bare, --no-headings, --columns. Commands joined by
 * `--` run as one transaction: if one fails, none of them changes anything.
 */
class VsctlError extends Error {}
const die = (msg: string): never => {
  throw new VsctlError(msg);
};

interface Opts {
  format: 'table' | 'csv' | 'json';
  bare: boolean;
  headings: boolean;
  columns: string[] | null;
  ifExists: boolean;
  mayExist: boolean;
}

interface Tx {
  m: HostModel;
  ports: OvsPort[];
  out: string[];
}

export const ovsVsctl: CommandHandler = (args, ctx) => {
  const m = ctx.model;
  const global: Opts = { format: 'table', bare: false, headings: true, columns: null, ifExists: false, mayExist: false };
  let k = 0;
  for (; k < args.length && args[k].startsWith('--') && args[k] !== '--'; k++) applyOpt(global, args[k]);
  const commands = split(args.slice(k));
  const tx: Tx = { m, ports: m.ovsPorts.map((p) => ({ ...p, options: { ...p.options }, externalIds: { ...p.externalIds } })), out: [] };
  try {
    for (const c of commands) {
      const o: Opts = { ...global };
      let j = 0;
      for (; j < c.length && c[j].startsWith('--'); j++) applyOpt(o, c[j]);
      runOne(tx, c[j], c.slice(j + 1), o);
    }
  } catch (e) {
    if (e instanceof BrMissing) return { stdout: '', stderr: '', code: 2 };
    if (e instanceof VsctlError) return fail(1, `ovs-vsctl: ${e.message}`);
    throw e;
  }
  m.ovsPorts = tx.ports;
  return ok(tx.out.join(''));
};

function applyOpt(o: Opts, a: string): void {
  const [k, v = ''] = a.split('=');
  if (k === '--format') o.format = v === 'json' ? 'json' : v === 'csv' ? 'csv' : 'table';
  else if (k === '--data') o.bare = v === 'bare';
  else if (k === '--no-headings') o.headings = false;
  else if (k === '--columns') o.columns = v.split(',');
  else if (k === '--if-exists') o.ifExists = true;
  else if (k === '--may-exist') o.mayExist = true;
}

function split(args: string[]): string[][] {
  const out: string[][] = [[]];
  for (const a of args) {
    if (a === '--') out.push([]);
    else out[out.length - 1].push(a);
  }
  return out.filter((c) => c.length > 0);
}

function ovsBridges(m: HostModel) {
  return m.spec.bridges.filter((b) => b.kind === 'ovs');
}

function runOne(tx: Tx, verbArg: string | undefined, a: string[], o: Opts): void {
  const m = tx.m;
  const verb = verbArg ?? '';
  switch (verb) {
    case 'list-br':
      tx.out.push(
        ...ovsBridges(m)
          .map((b) => `${b.name}\n`)
          .sort(),
      );
      return;
    case 'br-exists':
      if (!ovsBridges(m).some((b) => b.name === a[0])) throw new BrMissing();
      return;
    case 'list-ports': {
      const b = ovsBridges(m).find((x) => x.name === a[0]) ?? die(`no bridge named ${a[0] ?? ''}`);
      const dynamic = [
        ...m.taps.filter((t) => t.master === b.name).map((t) => t.name),
        ...tx.ports.filter((p) => p.bridge === b.name).map((p) => p.name),
      ];
      tx.out.push(...[...b.ports, ...dynamic].sort().map((p) => `${p}\n`));
      return;
    }
    case 'show':
      tx.out.push(
        `c0ffee00-0000-4000-8000-000000000001\n${ovsBridges(m)
          .map((b) => `    Bridge ${b.name}\n        Port ${b.name}\n            Interface ${b.name}\n                type: internal\n`)
          .join('')}    ovs_version: "3.1.0"\n`,
      );
      return;
    case 'port-to-br': {
      const p = tx.ports.find((x) => x.name === a[0]) ?? die(`no port named ${a[0] ?? ''}`);
      tx.out.push(`${p.bridge}\n`);
      return;
    }
    case 'add-port':
      return addPort(tx, a, o);
    case 'del-port': {
      const [br, name] = a.length === 1 ? [undefined, a[0]] : a;
      const p = tx.ports.find((x) => x.name === name && (br === undefined || x.bridge === br));
      if (!p) {
        if (o.ifExists) return;
        die(`no port named ${name ?? ''}`);
      }
      tx.ports = tx.ports.filter((x) => x !== p);
      return;
    }
    case 'get':
      return get(tx, a, o);
    case 'set':
    case 'clear':
      return setOrClear(tx, verb, a);
    case 'list':
    case 'find':
      tx.out.push(table(tx, a, o, verb === 'find'));
      return;
    default:
      die(`unknown command '${verb}'; use --help for help`);
  }
}

/** `br-exists` answers with exit code 2, not an error message. */
class BrMissing extends Error {}

function addPort(tx: Tx, a: string[], o: Opts): void {
  const [br, name, ...cols] = a;
  if (!ovsBridges(tx.m).some((b) => b.name === br)) die(`no bridge named ${br}`);
  const have = tx.ports.find((p) => p.name === name);
  if (have) {
    if (o.mayExist && have.bridge === br) return;
    die(
      have.bridge === br
        ? `cannot create a port named ${name} because a port named ${name} already exists on bridge ${br}`
        : `"--may-exist add-port ${br} ${name}" but ${name} is actually attached to bridge ${have.bridge}`,
    );
  }
  const port: OvsPort = {
    name,
    bridge: br,
    tag: null,
    trunks: [],
    vlanMode: null,
    mtuRequest: null,
    type: '',
    policingRate: 0,
    policingBurst: 0,
    options: {},
    externalIds: {},
  };
  for (const c of cols) assign(port, 'Port', c);
  tx.ports.push(port);
}

function record(tx: Tx, table: string, id: string): OvsPort {
  if (table !== 'Port' && table !== 'Interface') die(`hostsim: table ${table} is read-only`);
  return tx.ports.find((p) => p.name === id) ?? die(`no row "${id}" in table ${table}`);
}

function assign(p: OvsPort, table: string, c: string): void {
  const eq = c.indexOf('=');
  const [col, key] = c.slice(0, eq).split(':');
  const value = c.slice(eq + 1).replace(/^"(.*)"$/, '$1');
  if (table === 'Port' && col === 'tag') {
    if (!/^\d+$/.test(value) || Number(value) > 4095) die(`"${value}" is not a valid integer for column tag`);
    p.tag = Number(value);
  } else if (table === 'Port' && col === 'trunks') p.trunks = trunksOf(value);
  else if (table === 'Port' && col === 'vlan_mode') {
    // vswitch.ovsschema: an enum of five
    if (!VLAN_MODES.includes(value)) die(`constraint violation: ${value} is not one of the allowed values ([${VLAN_MODES.join(', ')}])`);
    p.vlanMode = value;
  } else if (table === 'Interface' && col === 'mtu_request') {
    if (!/^\d+$/.test(value) || Number(value) < 1)
      die(`constraint violation: ${value} is not in the valid range 1 to 9223372036854775807 (inclusive)`);
    p.mtuRequest = Number(value);
  } else if (table === 'Interface' && col === 'type') p.type = value;
  else if (table === 'Interface' && (col === 'ingress_policing_rate' || col === 'ingress_policing_burst')) {
    if (!/^\d+$/.test(value)) die(`"${value}" is not a valid integer for column ${col}`);
    if (col === 'ingress_policing_rate') p.policingRate = Number(value);
    else p.policingBurst = Number(value);
  } else if (table === 'Interface' && col === 'options' && key) p.options[key] = value;
  else if (col === 'external_ids' && key) p.externalIds[key] = value;
  else die(`hostsim: ${table} column ${col} is not modelled`);
}

const VLAN_MODES = ['access', 'dot1q-tunnel', 'native-tagged', 'native-untagged', 'trunk'];

/** `trunks=10,20` or `trunks=[10,20]`: a set of 0..4095, kept ascending as OVS prints it. */
function trunksOf(value: string): number[] {
  const items = value
    .replace(/^\[(.*)\]$/, '$1')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  const out = items.map((x) => {
    if (!/^\d+$/.test(x)) die(`"${x}" is not a valid integer`);
    const n = Number(x);
    if (n > 4095) die(`constraint violation: ${n} is not in the valid range 0 to 4095 (inclusive)`);
    return n;
  });
  return [...new Set(out)].sort((a, b) => a - b);
}

function setOrClear(tx: Tx, verb: 'set' | 'clear', a: string[]): void {
  const [table, id, ...cols] = a;
  const p = record(tx, table, id);
  for (const c of cols) {
    if (verb === 'set') assign(p, table, c);
    else if (table === 'Port' && c === 'tag') p.tag = null;
    else if (table === 'Port' && c === 'trunks') p.trunks = [];
    else if (table === 'Port' && c === 'vlan_mode') p.vlanMode = null;
    else if (table === 'Interface' && c === 'mtu_request') p.mtuRequest = null;
    else die(`hostsim: clear ${table} ${c} is not modelled`);
  }
}

function get(tx: Tx, a: string[], o: Opts): void {
  const [table, id, ...cols] = a;
  if (table === 'Open_vSwitch') {
    const dpdk = tx.m.spec.ovsDpdk;
    for (const c of cols) {
      if (c === 'dpdk_initialized') tx.out.push(`${dpdk !== null}\n`);
      else if (c === 'other_config:pmd-cpu-mask') {
        if (dpdk?.pmdCpuMask) tx.out.push(`"${dpdk.pmdCpuMask}"\n`);
        else if (o.ifExists) tx.out.push('\n');
        else die('no key "pmd-cpu-mask" in Open_vSwitch record "." column other_config');
      } else die(`hostsim: Open_vSwitch column ${c} is not modelled`);
    }
    return;
  }
  const p = tx.ports.find((x) => x.name === id);
  if (!p) {
    if (o.ifExists) return;
    return die(`no row "${id}" in table ${table}`);
  }
  for (const c of cols) {
    const [col, key] = c.split(':');
    if (col === 'tag') tx.out.push(`${p.tag === null ? '[]' : p.tag}\n`);
    else if (col === 'trunks') tx.out.push(`[${p.trunks.join(', ')}]\n`);
    else if (col === 'vlan_mode') tx.out.push(`${p.vlanMode ?? '[]'}\n`);
    else if (col === 'mtu_request') tx.out.push(`${p.mtuRequest ?? '[]'}\n`);
    else if (col === 'type') tx.out.push(`${p.type === '' ? '""' : p.type}\n`);
    else if (key !== undefined && (col === 'options' || col === 'external_ids')) {
      const v = (col === 'options' ? p.options : p.externalIds)[key];
      if (v === undefined && !o.ifExists) die(`no key "${key}" in ${table} record "${id}" column ${col}`);
      tx.out.push(v === undefined ? '\n' : `"${v}"\n`);
    } else die(`hostsim: ${table} column ${c} is not modelled`);
  }
}

type Cell = string | number | null | Record<string, string>;

/** Rows of `list TABLE` / `find TABLE col=value` as {column: value}. */
function rows(tx: Tx, table: string): Record<string, Cell>[] {
  if (table === 'Bridge')
    return ovsBridges(tx.m).map((b) => ({ name: b.name, datapath_type: b.datapathType === 'system' ? '' : b.datapathType }));
  if (table === 'Interface')
    return tx.ports.map((p) => ({
      name: p.name,
      type: p.type,
      options: p.options,
      external_ids: p.externalIds,
      ingress_policing_rate: p.policingRate,
      ingress_policing_burst: p.policingBurst,
      mtu_request: p.mtuRequest,
    }));
  if (table === 'Port') return tx.ports.map((p) => ({ name: p.name, tag: p.tag }));
  return die(`hostsim: table ${table} is not modelled`);
}

function table(tx: Tx, a: string[], o: Opts, find: boolean): string {
  const [name, ...conds] = a;
  let rs = rows(tx, name);
  if (find)
    for (const c of conds) {
      const [col, value] = c.split('=');
      rs = rs.filter((r) => String(r[col] ?? '') === value);
    }
  else if (conds.length > 0) rs = rs.filter((r) => conds.includes(String(r['name'])));
  const cols = o.columns ?? Object.keys(rs[0] ?? { name: '' });
  if (o.format === 'json') {
    const json = (v: Cell) => (v === null ? ['set', []] : typeof v === 'object' ? ['map', Object.entries(v).sort()] : v);
    return `${JSON.stringify({ data: rs.map((r) => cols.map((c) => json(r[c] ?? null))), headings: cols })}\n`;
  }
  const text = (v: Cell) =>
    v === null
      ? o.bare
        ? ''
        : '[]'
      : typeof v === 'object'
        ? Object.entries(v)
            .map(([k, x]) => `${k}=${x}`)
            .join(' ')
        : String(v);
  const lines = rs.map((r) => cols.map((c) => text(r[c] ?? null)).join(','));
  return [...(o.headings ? [cols.join(',')] : []), ...lines].map((l) => `${l}\n`).join('');
}
