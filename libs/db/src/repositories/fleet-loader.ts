import { z } from 'zod';
import {
  CPU_OWNER_ROLES,
  fleetAllocationSchema,
  fleetGroupSchema,
  fleetNetworkSchema,
  foreignDomainsSchema,
  HOST_STATES,
  hostBridgesSchema,
  hugepagePoolSchema,
  MACVTAP_MODES,
  NETWORK_KINDS,
  VF_STATES,
  VIRT_TYPES,
  type FleetAllocation,
  type FleetHost,
  type FleetGroup,
  type FleetNetwork,
  type PagedHugepageSize,
} from '@netpin/contracts';
import {
  CpuLayouts,
  cpuPos,
  formatRid,
  ownerCell,
  vmSlot,
  type CompactFleet,
  type CompactHost,
  type CompactNic,
  type CpuColumns,
  type VfPci,
} from '@netpin/placement';
import type { Db } from '../client';
import type { Prisma } from '../generated/prisma/client';
import { IntColumn, IntTable, rowSource, type Row, type RowSource } from './fleet-rows';

type Client = Db | Prisma.TransactionClient;

const PAGE_SIZES: Record<number, PagedHugepageSize> = { 2048: 'SIZE_2M', 1048576: 'SIZE_1G' };
const hugepagesSchema = z.array(hugepagePoolSchema).catch([]);
// a bridges value that does not parse counts as not discovered: placement then does not check bridges on that host
const bridgesSchema = hostBridgesSchema.nullable().catch(null);
// unparsable foreign domains count as none, as a host discovered before netpin read them
const foreignSchema = foreignDomainsSchema.catch([]);
/** Host.pmdCpus as JSON (array_to_json of the int[] column). */
const pmdCpusSchema = z.array(z.number().int().min(0)).catch([]);
const hostStateSchema = z.enum(HOST_STATES);
const virtTypeSchema = z.enum(VIRT_TYPES);
const roleSchema = z.enum(CPU_OWNER_ROLES);
const kindSchema = z.enum(NETWORK_KINDS);
/** The network's VLAN protocol and trunk columns, parsed where read. */
const networkVlanSchema = fleetNetworkSchema.pick({ vlanProtocol: true, trunkVlans: true, nativeVlan: true, nativeVlanMode: true });
const macvtapModeSchema = z.enum(MACVTAP_MODES).nullable().catch(null);
const FREE = VF_STATES.indexOf('FREE');
const ALLOCATED = VF_STATES.indexOf('ALLOCATED');

const PCI_TAIL = /[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$/;
const json = (s: string | null): unknown => (s === null ? null : JSON.parse(s));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Ids read from an earlier table, numbered from 1 in their order, as a relation to join the
 * big tables with: their rows then name a host or NIC by this number instead of a 36-byte id
 * (less for PostgreSQL to format and send, no lookup here), and rows of anything not read
 * before (written meanwhile, outside a snapshot) drop out in the join, as they were skipped.
 */
function numbered(ids: string[], alias: string): string {
  for (const id of ids) if (!UUID.test(id)) throw new Error(`not an id: ${id}`);
  return `unnest('{${ids.join(',')}}'::uuid[]) WITH ORDINALITY AS ${alias}(id, o)`;
}

/** `AND <column> = ANY($1)` when reading some hosts. */
function only(column: string, hostIds: string[] | undefined): string {
  return hostIds ? ` AND ${column} = ANY($1::uuid[])` : '';
}

/**
 * One string object per distinct value for the repeated text of a read (NIC names, drivers,
 * PCI addresses and prefixes, host states, and the host and NIC ids the networks' host lists
 * repeat): 10,000 hosts otherwise keep ~90,000 copies of a few dozen values and ~40,000
 * duplicate ids (~6 MiB of heap).
 */
class Strings {
  private readonly seen = new Map<string, string>();

  of(s: string): string {
    const hit = this.seen.get(s);
    if (hit !== undefined) return hit;
    this.seen.set(s, s);
    return s;
  }

  orNull(s: string | null): string | null {
    return s === null ? null : this.of(s);
  }
}

/** Frozen, so one object can serve every NIC alike (nothing changes it). */
function queuesOf(strs: Map<string, CompactNic['combinedQueues']>, current: number, max: number): CompactNic['combinedQueues'] {
  const key = `${current}/${max}`;
  let q = strs.get(key);
  if (!q) strs.set(key, (q = Object.freeze({ current, max })));
  return q;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * What a host's and a NIC's columns are until they are filled in: each object is made with
 * every field it keeps, and its fields are set later. (A spread such as `{ ...row, cpus }`
 * gave each of the 40,000 host and NIC objects a hidden class of its own: 18 MiB of heap.)
 */
const NO_CPUS: CpuColumns = {
  id: new Int32Array(0),
  socket: new Int32Array(0),
  core: new Int32Array(0),
  node: new Int32Array(0),
  sibStart: new Int32Array(1),
  sibling: new Int32Array(0),
  reserved: new Uint8Array(0),
};
const NO_VFS: CompactNic['vfs'] = { index: new Int32Array(0), state: new Uint8Array(0), owner: new Int32Array(0), pci: [] };

/** A NIC row, with the domain part of its PF address ("0000:") that its VFs' addresses start with. */
interface NicRef {
  nic: Writable<CompactNic>;
  prefix: string;
}

/** The rows of one host being assembled. */
interface Draft {
  host: Writable<CompactHost>;
  nodes: { index: number; memoryMiB: number; hugepages: unknown }[];
  nics: NicRef[];
  owners: { cpuId: number; vmId: string; role: string }[];
}

/**
 * Reads the inventory straight into a CompactFleet: one plain SQL statement per table,
 * every column cast to int, boolean or text, the CPU and VF tables streamed (COPY) into
 * per-host columns without an object per row. Only hosts with NUMA nodes (discovered) are
 * in it. CPU owners come from CpuAllocation rows (the database's word); memory, hugepages,
 * bandwidth and I/O nodes from the allocation each holding VM recorded with its plan, and
 * each active migration's target plan (under the migration's id: a migrating VM holds on
 * two hosts).
 */
export async function loadFleet(db: Client, opts: { hostIds?: string[] } = {}): Promise<CompactFleet> {
  const ids = opts.hostIds;
  const params = ids ? [ids] : [];
  const src = await rowSource(db, ids !== undefined);
  const strs = new Strings();
  try {
    const drafts = await readHosts(src, ids, params, strs);
    const cpus = await readCpus(src, ids, params, drafts);
    const nicIrqs = await readNics(src, { ids, params, strs }, drafts);
    const nics = [...drafts.values()].flatMap((d) => d.nics);
    const vfs = await readVfs(src, nics);
    const vfOwners = await readVfOwners(src, ids, params);
    const networks = await readNetworks(src, strs);
    const groups = await readGroups(src);
    const allocations = await readAllocations(src, ids, params);
    const hosts = assemble(drafts, cpus, nicIrqs, nics, vfs, vfOwners, allocations);
    release(cpus.rows.a, cpus.sib.a, vfs.rows.a);
    return { compact: true, hosts, networks, allocations, ...(groups.length ? { groups } : {}) };
  } finally {
    await src.close();
  }
}

/**
 * Hands the fleet-wide tables' memory (~60 MiB for 10,000 hosts) to young ArrayBuffers that
 * die at once: V8 frees it at its next scavenge (milliseconds away), where the tables
 * themselves, old by the end of the read, would keep it until the next full collection,
 * which an idle API may not make for hours (RSS 408 MiB against 296 after one, bench:scale).
 */
function release(...arrays: Int32Array[]): void {
  for (const a of arrays) structuredClone(a.buffer, { transfer: [a.buffer as ArrayBuffer] });
}

/** Each discovered host's columns from the fleet-wide tables (layouts shared between hosts alike). */
function assemble(
  drafts: Map<string, Draft>,
  cpus: CpuTable,
  irqs: CompactNic['queueIrqs'][],
  nics: NicRef[],
  vfs: VfTable,
  vfOwners: Map<string, string>,
  allocations: FleetAllocation[],
): CompactHost[] {
  const layouts = new CpuLayouts();
  const allocsOf = new Map<string, FleetAllocation[]>();
  for (const a of allocations) {
    const list = allocsOf.get(a.hostId) ?? [];
    list.push(a);
    allocsOf.set(a.hostId, list);
  }
  const cpuGroups = groupRows(cpus.rows, CPU.host, drafts.size);
  const vfGroups = groupRows(vfs.rows, VF.nic, nics.length);
  const nicOrd = new Map(nics.map((n, i) => [n, i]));
  const hosts: CompactHost[] = [];
  [...drafts.values()].forEach((d, g) => {
    if (d.nodes.length === 0) return;
    const rows = cpuGroups.rows.subarray(cpuGroups.start[g], cpuGroups.start[g + 1]);
    const host = finishHost(d, usedMemory(allocsOf.get(d.host.id) ?? []), layouts, cpus, rows);
    for (const ref of d.nics) {
      const k = nicOrd.get(ref) as number;
      const vfRows = vfGroups.rows.subarray(vfGroups.start[k], vfGroups.start[k + 1]);
      host.nics.push(finishNic(host, ref, irqs[k], { t: vfs, layouts }, vfRows, vfOwners));
    }
    hosts.push(host);
  });
  release(cpuGroups.rows, vfGroups.rows);
  return hosts;
}

async function readHosts(src: RowSource, ids: string[] | undefined, params: unknown[], strs: Strings): Promise<Map<string, Draft>> {
  const drafts = new Map<string, Draft>();
  await src.each(
    `SELECT h.id::text AS c0, h.name AS c1, h.state::text AS c2, h."virtType"::text AS c3, (h."capVmx" OR h."capSvm") AS c4,
       (h."capEpt" OR h."capNpt") AS c5, h."capIommu" AS c6, h."capKvm" AS c7, h."capVhostNet" AS c8, h."capOvs" AS c9,
       h.bridges::text AS c10, h."foreignDomains"::text AS c11, h."capOvsDpdk" AS c12, array_to_json(h."pmdCpus")::text AS c13,
       h."capVhostVdpa" AS c14
     FROM "Host" h WHERE true${only('h.id', ids)} ORDER BY h.name`,
    params,
    (r) => {
      const id = strs.of(r.text(0));
      drafts.set(id, {
        host: {
          id,
          name: r.text(1),
          state: hostStateSchema.parse(strs.of(r.text(2))),
          virtType: virtTypeSchema.parse(strs.of(r.text(3))),
          capabilities: {
            vmx: r.bool(4),
            ept: r.bool(5),
            iommu: r.bool(6),
            kvm: r.bool(7),
            vhostNet: r.bool(8),
            ovs: r.bool(9),
            ovsDpdk: r.bool(12),
            vhostVdpa: r.bool(14),
          },
          bridges: bridgesSchema.parse(json(r.textOrNull(10))),
          foreignDomains: foreignSchema.parse(json(r.textOrNull(11)) ?? []),
          pmdCpus: pmdCpusSchema.parse(json(r.textOrNull(13)) ?? []),
          numaNodes: [],
          cpus: NO_CPUS,
          cpuOwner: NO_CPUS.id,
          vms: [],
          nics: [],
        },
        nodes: [],
        nics: [],
        owners: [],
      });
    },
  );
  await src.each(
    `SELECT n."hostId"::text AS c0, n.index AS c1, n."memoryMiB" AS c2, n.hugepages::text AS c3
     FROM "NumaNode" n WHERE true${only('n."hostId"', ids)} ORDER BY n."hostId", n.index`,
    params,
    (r) => drafts.get(r.text(0))?.nodes.push({ index: r.int(1), memoryMiB: r.int(2), hugepages: json(r.textOrNull(3)) }),
  );
  return drafts;
}

/** The CPU table, fleet-wide, a row per CPU (no object per row); siblings in `sib`. */
const CPU = { host: 0, id: 1, socket: 2, core: 3, node: 4, reserved: 5, sibStart: 6, sibLen: 7 } as const;
interface CpuTable {
  rows: IntTable;
  sib: IntColumn;
}

/** The CPU table, streamed; each row names its host by its place in `drafts`. */
async function readCpus(src: RowSource, ids: string[] | undefined, params: unknown[], drafts: Map<string, Draft>): Promise<CpuTable> {
  const t: CpuTable = { rows: new IntTable(8, 128 * drafts.size), sib: new IntColumn() };
  await src.each(
    `SELECT (h.o - 1)::int AS c0, c."cpuId" AS c1, c.socket AS c2, c.core AS c3, n.index AS c4,
       array_to_string(c.siblings, ',') AS c5, c."reservedForHost" AS c6
     FROM "Cpu" c JOIN ${numbered([...drafts.keys()], 'h')} ON h.id = c."hostId" JOIN "NumaNode" n ON n.id = c."numaNodeId"`,
    [],
    (r: Row) => {
      const at = t.rows.add();
      const a = t.rows.a;
      a[at + CPU.host] = r.int(0);
      a[at + CPU.id] = r.int(1);
      a[at + CPU.socket] = r.int(2);
      a[at + CPU.core] = r.int(3);
      a[at + CPU.node] = r.int(4);
      a[at + CPU.reserved] = r.bool(6) ? 1 : 0;
      a[at + CPU.sibStart] = t.sib.n;
      a[at + CPU.sibLen] = r.ints(5, t.sib);
    },
  );
  await src.each(
    `SELECT a."hostId"::text AS c0, c."cpuId" AS c1, COALESCE(a."migrationId", a."vmId")::text AS c2, a.role::text AS c3
     FROM "CpuAllocation" a JOIN "Cpu" c ON c.id = a."cpuRowId" WHERE true${only('a."hostId"', ids)}`,
    params,
    (r) => drafts.get(r.text(0))?.owners.push({ cpuId: r.int(1), vmId: r.text(2), role: r.text(3) }),
  );
  return t;
}

/** Rows grouped by a key field (counting sort, arrival order kept): group g is rows[start[g]] .. rows[start[g + 1] - 1]. */
function groupRows(t: IntTable, field: number, groups: number): { start: Int32Array; rows: Int32Array } {
  const { a, width, n } = t;
  const start = new Int32Array(groups + 1);
  for (let i = 0; i < n; i++) start[a[i * width + field] + 1]++;
  for (let g = 0; g < groups; g++) start[g + 1] += start[g];
  const at = start.slice(0, groups);
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[at[a[i * width + field]]++] = i;
  return { start, rows };
}

/** A reusable Int32Array, handed out as a view of the length asked for. */
class Scratch {
  private a = new Int32Array(256);

  ints(n: number): Int32Array {
    if (n > this.a.length) this.a = new Int32Array(2 * n);
    return this.a.subarray(0, n);
  }
}

const slots = new Scratch();

/**
 * A group's rows ordered by a field (already so, as a rule, and then `rows` itself); when
 * not, the order is written to `out` (valid until its next use).
 */
function sortedBy(rows: Int32Array, t: IntTable, field: number, out: Scratch): Int32Array {
  const { a, width } = t;
  const v = (row: number): number => a[row * width + field];
  let sorted = true;
  let max = 0;
  for (let k = 0; k < rows.length; k++) {
    if (k > 0 && v(rows[k - 1]) > v(rows[k])) sorted = false;
    max = Math.max(max, v(rows[k]));
  }
  if (sorted) return rows;
  // small distinct ids (CPU ids, VF indices): place each row at its id
  if (max < 4 * rows.length + 64) {
    const at = slots.ints(max + 1).fill(-1);
    let dense = true;
    for (let k = 0; dense && k < rows.length; k++) {
      const x = v(rows[k]);
      if (x < 0 || at[x] >= 0) dense = false;
      else at[x] = rows[k];
    }
    if (dense) {
      const order = out.ints(rows.length);
      let k = 0;
      for (let x = 0; x <= max; x++) if (at[x] >= 0) order[k++] = at[x];
      return order;
    }
  }
  const order = out.ints(rows.length);
  order.set(rows);
  return order.sort((x, y) => v(x) - v(y));
}

/** `rows`' values of a field, in order. */
function pick(rows: Int32Array, t: IntTable, field: number): Int32Array {
  const out = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = t.a[rows[k] * t.width + field];
  return out;
}

/** NICs onto their hosts; returns each NIC's queue IRQs (ascending queue). */
async function readNics(
  src: RowSource,
  { ids, params, strs }: { ids: string[] | undefined; params: unknown[]; strs: Strings },
  drafts: Map<string, Draft>,
): Promise<CompactNic['queueIrqs'][]> {
  const queues = new Map<string, CompactNic['combinedQueues']>();
  await src.each(
    `SELECT n.id::text AS c0, n."hostId"::text AS c1, n.name AS c2, n."pciAddress" AS c3, n.driver AS c4, n."numaNode" AS c5,
       n."speedMbps" AS c6, n."combinedQueues" AS c7, n."maxCombinedQueues" AS c8, n."sriovTotalVfs" AS c9, n."sriovNumVfs" AS c10,
       n.mtu AS c11, n."maxMtu" AS c12, n."vdpaVfs" AS c13
     FROM "Nic" n WHERE true${only('n."hostId"', ids)} ORDER BY n."hostId", n.name`,
    params,
    (r) => {
      const pciAddress = strs.of(r.text(3));
      drafts.get(r.text(1))?.nics.push({
        prefix: PCI_TAIL.test(pciAddress) ? strs.of(pciAddress.slice(0, -7)) : '',
        nic: {
          id: strs.of(r.text(0)),
          name: strs.of(r.text(2)),
          pciAddress,
          driver: strs.orNull(r.textOrNull(4)),
          numaNode: r.intOrNull(5) ?? -1,
          speedMbps: r.intOrNull(6) ?? 0,
          mtu: r.intOrNull(11),
          maxMtu: r.intOrNull(12),
          combinedQueues: queuesOf(queues, r.int(7), r.int(8)),
          queueIrqs: [],
          sriovTotalVfs: r.int(9),
          sriovNumVfs: r.int(10),
          vdpaVfs: r.bool(13),
          vfs: NO_VFS,
        },
      });
    },
  );
  const nicIds = [...drafts.values()].flatMap((d) => d.nics).map((n) => n.nic.id);
  const t = new IntTable(3, 16 * nicIds.length);
  await src.each(
    `SELECT (k.o - 1)::int AS c0, q.irq AS c1, q.queue AS c2 FROM "NicIrq" q JOIN ${numbered(nicIds, 'k')} ON k.id = q."nicId"`,
    [],
    (r) => {
      const at = t.add();
      t.a[at] = r.int(0);
      t.a[at + 1] = r.int(1);
      t.a[at + 2] = r.int(2);
    },
  );
  return queueIrqs(t, nicIds.length);
}

/**
 * Each NIC's queue IRQs (ascending queue, then IRQ) from rows (nic, irq, queue). NICs of one
 * model on hosts alike have the same ones: one frozen list is shared between them (nothing changes it).
 */
function queueIrqs(t: IntTable, nics: number): CompactNic['queueIrqs'][] {
  const groups = groupRows(t, 0, nics);
  const seen = new Map<number, CompactNic['queueIrqs'][]>();
  const out: CompactNic['queueIrqs'][] = [];
  for (let k = 0; k < nics; k++) {
    // (queue, irq) pairs in scratch, ordered by insertion (a NIC has a few dozen), hashed:
    // no array, string or closure per NIC (they were ~100 MiB of garbage for 30,000 NICs)
    const n = groups.start[k + 1] - groups.start[k];
    const pairs = irqPairs.ints(2 * n);
    for (let i = 0; i < n; i++) {
      const x = groups.rows[groups.start[k] + i];
      let at = i;
      const q = t.get(x, 2);
      const irq = t.get(x, 1);
      while (at > 0 && (pairs[2 * at - 2] > q || (pairs[2 * at - 2] === q && pairs[2 * at - 1] > irq))) {
        pairs[2 * at] = pairs[2 * at - 2];
        pairs[2 * at + 1] = pairs[2 * at - 1];
        at--;
      }
      pairs[2 * at] = q;
      pairs[2 * at + 1] = irq;
    }
    let h = 0x811c9dc5 ^ n;
    for (let i = 0; i < 2 * n; i++) h = Math.imul(h ^ pairs[i], 16777619);
    const same = seen.get(h) ?? [];
    let list = same.find((l) => l.length === n && l.every((e, i) => e.queue === pairs[2 * i] && e.irq === pairs[2 * i + 1]));
    if (!list) {
      const entries = Array.from({ length: n }, (_, i) => Object.freeze({ irq: pairs[2 * i + 1], queue: pairs[2 * i] }));
      list = Object.freeze(entries) as CompactNic['queueIrqs'];
      same.push(list);
      seen.set(h, same);
    }
    out.push(list);
  }
  release(t.a, groups.rows);
  return out;
}

const irqPairs = new Scratch();

/** The VF table, fleet-wide, a row per VF; an address not in canonical form (rid -1) is kept as text by row. */
const VF = { nic: 0, index: 1, rid: 2 } as const;
interface VfTable {
  rows: IntTable;
  odd: Map<number, string>;
}

/** The VF table, streamed, each row naming its NIC by its place in `nics`; each address parsed against its PF's domain prefix. */
async function readVfs(src: RowSource, nics: NicRef[]): Promise<VfTable> {
  const t: VfTable = { rows: new IntTable(3, 64 * nics.length), odd: new Map() };
  await src.each(
    `SELECT (k.o - 1)::int AS c0, v.index AS c1, coalesce(v."pciAddress", '') AS c2
     FROM "Vf" v JOIN ${numbered(
       nics.map((n) => n.nic.id),
       'k',
     )} ON k.id = v."nicId"`,
    [],
    (r) => {
      const nic = r.int(0);
      const rid = r.rid(2, nics[nic].prefix);
      if (rid < 0) t.odd.set(t.rows.n, r.text(2));
      const at = t.rows.add();
      t.rows.a[at + VF.nic] = nic;
      t.rows.a[at + VF.index] = r.int(1);
      t.rows.a[at + VF.rid] = rid;
    },
  );
  return t;
}

async function readVfOwners(src: RowSource, ids: string[] | undefined, params: unknown[]): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  await src.each(
    `SELECT v."nicId"::text AS c0, v.index AS c1, COALESCE(a."migrationId", a."vmId")::text AS c2
     FROM "VfAllocation" a JOIN "Vf" v ON v.id = a."vfId" JOIN "Nic" n ON n.id = v."nicId" WHERE true${only('n."hostId"', ids)}`,
    params,
    (r) => owners.set(`${r.text(0)}/${r.int(1)}`, r.text(2)),
  );
  return owners;
}

/** Affinity groups (every one: a request may name any), parsed with their schema. */
async function readGroups(src: RowSource): Promise<FleetGroup[]> {
  const groups: FleetGroup[] = [];
  await src.each(
    `SELECT id::text AS c0, name AS c1, policy::text AS c2, enforcement::text AS c3, "maxPerHost" AS c4 FROM "VmGroup" ORDER BY name`,
    [],
    (r) =>
      groups.push(
        fleetGroupSchema.parse({ id: r.text(0), name: r.text(1), policy: r.text(2), enforcement: r.text(3), maxPerHost: r.intOrNull(4) }),
      ),
  );
  return groups;
}

async function readNetworks(src: RowSource, strs: Strings): Promise<FleetNetwork[]> {
  const networks: FleetNetwork[] = [];
  const byId = new Map<string, Map<string, string[]>>();
  await src.each(
    `SELECT id::text AS c0, name AS c1, kind::text AS c2, bridge AS c3, physnet AS c4, vlan AS c5, "macvtapMode" AS c6, mtu AS c7,
            "vlanProtocol" AS c8, array_to_string("trunkVlans", ',') AS c9, "nativeVlan" AS c10, "nativeVlanMode" AS c11
       FROM "Network" ORDER BY name`,
    [],
    (r) => {
      const hosts = new Map<string, string[]>();
      byId.set(r.text(0), hosts);
      networks.push({
        id: r.text(0),
        name: r.text(1),
        kind: kindSchema.parse(r.text(2)),
        bridge: r.textOrNull(3),
        physnet: r.textOrNull(4),
        vlan: r.intOrNull(5),
        macvtapMode: macvtapModeSchema.parse(r.textOrNull(6)),
        mtu: r.intOrNull(7),
        ...networkVlanSchema.parse({
          vlanProtocol: r.text(8),
          trunkVlans: (r.textOrNull(9) ?? '').split(',').filter(Boolean).map(Number),
          nativeVlan: r.intOrNull(10),
          nativeVlanMode: r.text(11),
        }),
        hosts: [],
      });
    },
  );
  await src.each(`SELECT "networkId"::text AS c0, "hostId"::text AS c1, "nicId"::text AS c2 FROM "NetworkNic"`, [], (r) => {
    const hosts = byId.get(r.text(0));
    if (!hosts) return;
    // the same strings as the hosts' and NICs' ids, read before
    const hostId = strs.of(r.text(1));
    const list = hosts.get(hostId) ?? [];
    list.push(strs.of(r.text(2)));
    hosts.set(hostId, list);
  });
  for (const n of networks) {
    const hosts = byId.get(n.id) ?? new Map<string, string[]>();
    n.hosts = [...hosts.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([hostId, nicIds]) => ({ hostId, nicIds: nicIds.sort() }));
  }
  return networks;
}

async function readAllocations(src: RowSource, ids: string[] | undefined, params: unknown[]): Promise<FleetAllocation[]> {
  const out: FleetAllocation[] = [];
  await src.each(
    `SELECT c0 FROM (
       SELECT id, (plan->'allocation')::text AS c0 FROM "Vm" WHERE holding AND "hostId" IS NOT NULL${only('"hostId"', ids)}
       UNION ALL
       SELECT id, ("targetPlan"->'allocation')::text FROM "VmMigration" WHERE active${only('"targetHostId"', ids)}
     ) s ORDER BY id`,
    params,
    (r) => {
      const a = fleetAllocationSchema.safeParse(json(r.textOrNull(0)));
      if (a.success) out.push(a.data);
    },
  );
  return out;
}

/** Memory (MiB) and hugepages the host's holding VMs have promised, by "node" and "node/size". */
function usedMemory(allocations: FleetAllocation[]): Map<string, number> {
  const used = new Map<string, number>();
  const add = (k: string, v: number) => used.set(k, (used.get(k) ?? 0) + v);
  for (const a of allocations) {
    for (const m of a.memory) add(`${m.node}`, m.mib);
    for (const h of a.hugepages) add(`${h.node}/${h.size}`, h.pages);
  }
  return used;
}

function toNumaNodes(d: Draft, used: Map<string, number>): FleetHost['numaNodes'] {
  return d.nodes.map(({ index, memoryMiB, hugepages }) => {
    const pools = hugepagesSchema.parse(hugepages).filter((p) => PAGE_SIZES[p.sizeKiB] && p.total > 0);
    const poolMiB = pools.reduce((s, p) => s + (p.total * p.sizeKiB) / 1024, 0);
    return {
      index,
      memoryMiB,
      memoryFreeMiB: Math.max(0, Math.floor(memoryMiB - poolMiB - (used.get(`${index}`) ?? 0))),
      hugepages: pools.map((p) => {
        const size = PAGE_SIZES[p.sizeKiB];
        return { size, total: p.total, free: Math.max(0, p.total - (used.get(`${index}/${size}`) ?? 0)) };
      }),
    };
  });
}

/** A host's columns: its CPUs by ascending id (layout shared with hosts alike), owners into slots. */
function finishHost(d: Draft, used: Map<string, number>, layouts: CpuLayouts, t: CpuTable, rows: Int32Array): CompactHost {
  const order = sortedBy(rows, t.rows, CPU.id, cpuOrder);
  const n = order.length;
  const { a, width } = t.rows;
  let sibs = 0;
  for (let p = 0; p < n; p++) sibs += a[order[p] * width + CPU.sibLen];
  // built in scratch columns: hosts alike share one layout, copied only when it is new
  const c = scratchColumns(n, sibs);
  for (let p = 0; p < n; p++) {
    const at = order[p] * width;
    c.id[p] = a[at + CPU.id];
    c.socket[p] = a[at + CPU.socket];
    c.core[p] = a[at + CPU.core];
    c.node[p] = a[at + CPU.node];
    c.reserved[p] = a[at + CPU.reserved];
    const from = a[at + CPU.sibStart];
    c.sibStart[p + 1] = c.sibStart[p] + a[at + CPU.sibLen];
    // a loop, not set(subarray(...)): a view per CPU was 1.28 M objects, ~130 MiB of garbage
    const sib = t.sib.a;
    for (let k = 0, to = c.sibStart[p]; k < a[at + CPU.sibLen]; k++) c.sibling[to + k] = sib[from + k];
  }
  const cpus = layouts.intern(c, true);
  const host = d.host;
  host.numaNodes = toNumaNodes(d, used);
  host.cpus = cpus;
  host.cpuOwner = layouts.ints(n, -1);
  for (const o of d.owners) {
    const p = cpuPos(cpus, o.cpuId);
    const role = roleSchema.safeParse(o.role);
    if (p >= 0 && role.success) host.cpuOwner[p] = ownerCell(vmSlot(host, o.vmId), role.data);
  }
  return host;
}

const cpuOrder = new Scratch();
const vfOrder = new Scratch();
let scratch: CpuColumns | null = null;

/** Columns for n CPUs with `sibs` siblings in all, reused while hosts come alike. */
function scratchColumns(n: number, sibs: number): CpuColumns {
  if (scratch?.id.length !== n || scratch.sibling.length !== sibs) {
    const ints = (): Int32Array => new Int32Array(n);
    scratch = {
      id: ints(),
      socket: ints(),
      core: ints(),
      node: ints(),
      sibStart: new Int32Array(n + 1),
      sibling: new Int32Array(sibs),
      reserved: new Uint8Array(n),
    };
  }
  return scratch;
}

/**
 * A NIC's VF columns (index shared with NICs alike, state and owner in the layouts' shared
 * chunks); addresses as a rule (prefix + routing id) when every one follows it.
 */
function finishNic(
  host: CompactHost,
  ref: NicRef,
  irqs: CompactNic['queueIrqs'],
  { t, layouts }: { t: VfTable; layouts: CpuLayouts },
  rows: Int32Array,
  owners: Map<string, string>,
): CompactNic {
  const order = sortedBy(rows, t.rows, VF.index, vfOrder);
  const index = layouts.vfIndex(pick(order, t.rows, VF.index));
  const owner = layouts.ints(order.length, -1);
  const state = layouts.bytes(order.length, FREE);
  if (owners.size > 0) {
    index.forEach((vf, k) => {
      const vm = owners.get(`${ref.nic.id}/${vf}`);
      if (vm === undefined) return;
      owner[k] = vmSlot(host, vm);
      state[k] = ALLOCATED;
    });
  }
  const nic = ref.nic;
  nic.queueIrqs = irqs;
  nic.vfs = { index, state, owner, pci: pciOf(ref.prefix, index, order, t) };
  return nic;
}

function pciOf(prefix: string, index: Int32Array, order: Int32Array, t: VfTable): VfPci {
  const n = order.length;
  if (n === 0) return [];
  const rid = (k: number): number => t.rows.get(order[k], VF.rid);
  const stride = n > 1 && index[1] !== index[0] ? (rid(1) - rid(0)) / (index[1] - index[0]) : 1;
  let ok = Number.isInteger(stride);
  for (let k = 0; ok && k < n; k++) ok = rid(k) >= 0 && rid(k) === rid(0) + (index[k] - index[0]) * stride;
  if (ok) return { prefix, first: rid(0), stride };
  return Array.from(order, (i) => (t.rows.get(i, VF.rid) >= 0 ? formatRid(prefix, t.rows.get(i, VF.rid)) : (t.odd.get(i) ?? '')));
}
