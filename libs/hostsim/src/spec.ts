import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { ifNameSchema, macAddressSchema, pciAddressSchema } from '@netpin/contracts';

/**
 * What a simulated host is made of. Everything here is boot-time hardware and
 * configuration; runtime state (VF counts, IRQ affinity, domains) lives in HostModel.
 */
const hugepagePoolSchema = z.object({
  /** Pages reserved at boot on this node. */
  nr: z.number().int().min(0),
});

export const numaNodeSpecSchema = z.object({
  memoryMiB: z.number().int().positive(),
  hugepages2M: hugepagePoolSchema.default({ nr: 0 }),
  hugepages1G: hugepagePoolSchema.default({ nr: 0 }),
});

export const IRQ_NAME_STYLES = ['intel', 'mlx5', 'generic', 'e1000e'] as const;

export const nicSpecSchema = z.object({
  name: ifNameSchema,
  pciAddress: pciAddressSchema,
  driver: z.string().min(1),
  /** PCI vendor:device of the PF, e.g. "8086:10fb" (82599). */
  pciId: z.string().regex(/^[0-9a-f]{4}:[0-9a-f]{4}$/),
  vfPciId: z
    .string()
    .regex(/^[0-9a-f]{4}:[0-9a-f]{4}$/)
    .optional(),
  numaNode: z.number().int().min(-1),
  mac: macAddressSchema,
  speedMbps: z.number().int().positive().default(10000),
  mtu: z.number().int().min(68).default(1500),
  /** The most the driver takes (`ip -d link` maxmtu): ixgbe's 9710 unless said. */
  maxMtu: z.number().int().min(68).default(9710),
  /** 0 means the device has no SR-IOV capability. */
  sriovTotalVfs: z.number().int().min(0).max(256).default(0),
  /** PCI SR-IOV First VF Offset and VF Stride: VF n's routing id = PF rid + offset + n*stride. */
  vfOffset: z.number().int().min(1).default(128),
  vfStride: z.number().int().min(1).default(2),
  maxCombined: z.number().int().positive(),
  combined: z.number().int().positive(),
  /** First IRQ number of this NIC's MSI-X vectors (one per max combined queue, e1000e: rx+tx+other). */
  irqBase: z.number().int().min(16),
  irqNameStyle: z.enum(IRQ_NAME_STYLES).default('intel'),
});

export const bridgeSpecSchema = z.object({
  name: ifNameSchema,
  kind: z.enum(['linux', 'ovs']),
  ports: z.array(ifNameSchema).default([]),
  /** OVS bridges: `system` (kernel datapath) or `netdev` (userspace, needs ovsDpdk). */
  datapathType: z.enum(['system', 'netdev']).default('system'),
});

export const hostSpecSchema = z
  .object({
    hostname: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/),
    user: z
      .string()
      .regex(/^[a-z_][a-z0-9_-]{0,31}$/)
      .default('root'),
    kernelRelease: z.string().default('6.1.0-18-amd64'),
    kernelCmdline: z.string(),
    cpu: z.object({
      modelName: z.string(),
      vendor: z.enum(['GenuineIntel', 'AuthenticAMD']).default('GenuineIntel'),
      family: z.number().int().default(6),
      model: z.number().int().default(85),
      mhz: z.number().positive().default(2100),
      sockets: z.number().int().positive(),
      coresPerSocket: z.number().int().positive(),
      threadsPerCore: z.number().int().min(1).max(2),
      flags: z.array(z.string()),
    }),
    /** One entry per NUMA node; nodes are spread evenly over sockets. */
    numaNodes: z.array(numaNodeSpecSchema).min(1),
    iommu: z.boolean(),
    vhostNet: z.boolean(),
    kvm: z.boolean().default(true),
    ovs: z.boolean().default(false),
    /** OVS initialised DPDK (dpdk_initialized true); pmdCpuMask = other_config:pmd-cpu-mask, null = unset. */
    ovsDpdk: z
      .object({
        pmdCpuMask: z
          .string()
          .regex(/^(0x)?[0-9a-fA-F]+$/)
          .nullable()
          .default(null),
      })
      .nullable()
      .default(null),
    /**
     * vdpa: the PFs whose VFs register as vdpa management devices (mlx5_vdpa on a ConnectX-6 Dx),
     * and whether vhost_vdpa is loaded. null = a kernel without the vdpa netlink family.
     */
    vdpa: z
      .object({ pfs: z.array(z.string()), vhostVdpa: z.boolean().default(true) })
      .nullable()
      .default(null),
    irqbalance: z.boolean().default(true),
    nics: z.array(nicSpecSchema),
    bridges: z.array(bridgeSpecSchema).default([]),
  })
  .superRefine((s, ctx) => {
    if (s.numaNodes.length % s.cpu.sockets !== 0 && s.cpu.sockets % s.numaNodes.length !== 0) {
      ctx.addIssue({ code: 'custom', message: 'NUMA node count must divide or be a multiple of the socket count' });
    }
    const names = new Set<string>();
    for (const n of [...s.nics.map((x) => x.name), ...s.bridges.map((b) => b.name)]) {
      if (names.has(n)) ctx.addIssue({ code: 'custom', message: `duplicate interface name ${n}` });
      names.add(n);
    }
    for (const nic of s.nics) {
      if (nic.numaNode >= s.numaNodes.length)
        ctx.addIssue({ code: 'custom', message: `${nic.name}: NUMA node ${nic.numaNode} does not exist` });
      if (nic.combined > nic.maxCombined) ctx.addIssue({ code: 'custom', message: `${nic.name}: combined > maxCombined` });
    }
    for (const b of s.bridges) {
      if (b.kind === 'ovs' && !s.ovs) ctx.addIssue({ code: 'custom', message: `${b.name}: OVS bridge on a host without OVS` });
      if (b.datapathType === 'netdev' && s.ovsDpdk === null)
        ctx.addIssue({ code: 'custom', message: `${b.name}: netdev bridge on a host without OVS-DPDK` });
      for (const p of b.ports)
        if (!s.nics.some((n) => n.name === p)) ctx.addIssue({ code: 'custom', message: `${b.name}: port ${p} is not a NIC` });
    }
  });

export type HostSpecInput = z.input<typeof hostSpecSchema>;
export type HostSpec = z.output<typeof hostSpecSchema>;
export type NicSpec = z.output<typeof nicSpecSchema>;

export class HostSpecError extends Error {
  readonly code = 'HOST_SPEC_INVALID';
}

export function parseHostSpec(input: unknown): HostSpec {
  const r = hostSpecSchema.safeParse(input);
  if (!r.success)
    throw new HostSpecError(`invalid host spec: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** Load a spec from a .json, .yaml or .yml file. */
export function loadHostSpecFile(path: string): HostSpec {
  const text = readFileSync(path, 'utf8');
  return parseHostSpec(path.endsWith('.json') ? JSON.parse(text) : parseYaml(text));
}
