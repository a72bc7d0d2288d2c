import { z } from 'zod';
import { hostFactsSchema } from './host-facts';
import { HOST_TEXT_LIMITS } from './host-text';
import { credentialRefSchema } from './inventory';
import { MIGRATION_STRATEGIES } from './migration';
import { vfDefaultsSchema } from './sriov';
import { vdpaDeviceNameSchema, vdpaMgmtdevSchema } from './vdpa';
import { VLAN_PROTOCOLS } from './enums';
import { planTrunkSchema } from './placement';
import {
  domainNameSchema,
  hostKeyFingerprintSchema,
  hostTextSchema,
  ifNameSchema,
  macAddressSchema,
  portSchema,
  sshAddressSchema,
  sshUserSchema,
  mtuSchema,
  vlanIdSchema,
} from './values';

/**
 * Jobs between the API (producer) and the agent (consumer), and the results the agent sends
 * back. The agent holds no database credentials: it writes every finished operation to the
 * results queue and the API consumes that queue, idempotently by operation id.
 */
export const HOST_OPS_QUEUE = 'netpin-host-ops';
export const RESULTS_QUEUE = 'netpin-results';
/** BullMQ key prefix when none is configured; tests use a unique one per run. */
export const DEFAULT_QUEUE_PREFIX = 'netpin';

export const HOST_JOB_NAMES = [
  'host.discover',
  'host.configureSriov',
  'vm.apply',
  'vm.verify',
  'vm.teardown',
  'vm.stop',
  'vm.reboot',
  'vm.attachInterface',
  'vm.detachInterface',
  'vm.migrate',
] as const;
export type HostJobName = (typeof HOST_JOB_NAMES)[number];
export const HostJob = {
  Discover: 'host.discover',
  ConfigureSriov: 'host.configureSriov',
  VmApply: 'vm.apply',
  VmVerify: 'vm.verify',
  VmTeardown: 'vm.teardown',
  VmStop: 'vm.stop',
  VmReboot: 'vm.reboot',
  VmAttachInterface: 'vm.attachInterface',
  VmDetachInterface: 'vm.detachInterface',
  VmMigrate: 'vm.migrate',
} as const satisfies Record<string, HostJobName>;

export const RESULT_JOB_NAME = 'op.result';

/** Job id = operation id, so a producer retry (or a double click) cannot enqueue twice. */
export function hostJobId(operationId: string): string {
  return operationId;
}
/**
 * Options a producer passes to queue.add for a host job (plain data: contracts imports no
 * BullMQ). Retries cover dropped connections and timeouts; handlers are idempotent, so
 * a retry converges instead of applying twice.
 */
export function hostJobOptions(operationId: string) {
  return {
    jobId: hostJobId(operationId),
    attempts: 5,
    backoff: { type: 'exponential' as const, delay: 1000 },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/** One result per operation: re-publishing after an agent crash is a no-op. */
export function resultJobId(operationId: string): string {
  return `${operationId}.result`;
}

// ---------------------------------------------------------------------------------------
// Payloads

export const hostTargetSchema = z
  .object({
    id: z.string().min(1).max(64),
    name: z.string().min(1).max(63),
    address: sshAddressSchema,
    port: portSchema,
    user: sshUserSchema,
    /** Resolved by the agent (file:<path> under its key directory); never key material. */
    credentialRef: credentialRefSchema,
    /** SHA256:... as `ssh-keygen -lf` prints it; null only together with trustOnFirstUse. */
    hostKeyFingerprint: hostKeyFingerprintSchema.nullable(),
    trustOnFirstUse: z.boolean(),
  })
  .refine((h) => h.hostKeyFingerprint !== null || h.trustOnFirstUse, {
    message: 'hostKeyFingerprint is required unless trustOnFirstUse is true',
    path: ['hostKeyFingerprint'],
  });
export type HostTarget = z.output<typeof hostTargetSchema>;

const jobCommon = {
  operationId: z.uuid(),
  requestId: z.string().min(1).max(128),
  host: hostTargetSchema,
};

const uint = z.number().int().min(0);
const cpuSet = z.array(uint.max(8191)).min(1).max(8192);

/** Desired attributes of one VF. Rates in Mbit/s, 0 = unlimited. */
export const vfDesiredSchema = z.object({
  pf: ifNameSchema,
  vfIndex: uint.max(255),
  mac: macAddressSchema,
  vlan: vlanIdSchema,
  /** The ethertype of the VF's VLAN tag (`ip link set PF vf N vlan X proto 802.1ad`). */
  vlanProtocol: z.enum(VLAN_PROTOCOLS).default('DOT1Q'),
  spoofchk: z.boolean(),
  trust: z.boolean(),
  maxTxRateMbps: uint,
  minTxRateMbps: uint,
});
export type VfDesired = z.output<typeof vfDesiredSchema>;

export const irqAffinityDesiredSchema = z.object({ irq: uint.max(65535), cpus: cpuSet });
export type IrqAffinityDesired = z.output<typeof irqAffinityDesiredSchema>;

export const rpsDesiredSchema = z.object({ dev: ifNameSchema, rxQueue: uint.max(4095), cpus: cpuSet });
export type RpsDesired = z.output<typeof rpsDesiredSchema>;

/** An absolute path of safe characters (no `.` or `..` segment): it reaches ovs-vsctl and the domain XML. */
const socketPathSchema = z
  .string()
  .max(256)
  .regex(/^\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/)
  .refine((p) => !p.split('/').some((s) => /^\.+$/.test(s)), 'no . or .. segments');

/** A vhost-user port (OVS dpdkvhostuserclient) on the VM's bridge, connecting to the socket QEMU serves. */
export const vhostUserPortDesiredSchema = z.object({
  bridge: ifNameSchema,
  port: ifNameSchema,
  socketPath: socketPathSchema,
  /** The port's access VLAN (OVS tag); null = untagged. */
  vlan: vlanIdSchema.nullable(),
  /** A VLAN trunk instead (OVS trunks, tag = the native VLAN, vlan_mode); null = none. */
  trunk: planTrunkSchema.nullable().default(null),
  /** The port's MTU (OVS Interface mtu_request); null = the switch's default. */
  mtu: mtuSchema.nullable().default(null),
  /** The guest's transmit cap (the port's ingress_policing_rate), Mbit/s; 0 = none. */
  maxRateMbps: uint.max(400_000).default(0),
});
export type VhostUserPortDesired = z.output<typeof vhostUserPortDesiredSchema>;

/**
 * A vdpa device on a VF's management device (`vdpa dev add name … mgmtdev pci/<VF> mac … max_vqp …`),
 * for a vDPA interface. Its MAC, queue pairs and MTU are fixed at creation (iproute2 6.1 has no
 * `vdpa dev set` for them), so a device that differs is deleted and created again.
 */
export const vdpaDeviceDesiredSchema = z.object({
  name: vdpaDeviceNameSchema,
  mgmtdev: vdpaMgmtdevSchema,
  mac: macAddressSchema,
  /** Queue pairs (the plan's queues). */
  maxVqp: uint.min(1).max(256),
  /** The network's MTU; null = the device's default. */
  mtu: uint.min(68).max(65535).nullable(),
});
export type VdpaDeviceDesired = z.output<typeof vdpaDeviceDesiredSchema>;

/** A VM's desired state on its host: what vm.apply converges to and vm.verify compares. */
/** netpin's VM id: the ownership mark its domain carries (libvirt <metadata>) and its uuid. */
const vmIdSchema = z.string().uuid();
/**
 * The VM's generation when the job was made (Vm.generation; every teardown raises it). A job
 * older than the VM's fence is refused with STALE_JOB. Absent (a job from before fencing): 0,
 * which any raised fence refuses.
 */
const vmGenerationSchema = z.number().int().min(0).default(0);

export const vmDesiredStateSchema = z.object({
  vmId: vmIdSchema,
  vmName: domainNameSchema,
  vmGeneration: vmGenerationSchema,
  /** Rendered by the API with @netpin/libvirt-xml. */
  domainXml: z
    .string()
    .min(1)
    .max(256 * 1024),
  vfs: z.array(vfDesiredSchema).max(64),
  irqAffinity: z.array(irqAffinityDesiredSchema).max(256),
  rps: z.array(rpsDesiredSchema).max(256),
  /** Created before define (the port must exist for the guest's NIC to pass traffic), removed on teardown. */
  vhostUserPorts: z.array(vhostUserPortDesiredSchema).max(16).default([]),
  /** Created before define (their /dev/vhost-vdpa-N replace the XML's placeholders), deleted on teardown. */
  vdpaDevices: z.array(vdpaDeviceDesiredSchema).max(16).default([]),
  start: z.boolean(),
});
export type VmDesiredState = z.output<typeof vmDesiredStateSchema>;

export const discoverPayloadSchema = z.object({ ...jobCommon });
export type DiscoverPayload = z.output<typeof discoverPayloadSchema>;

export const configureSriovPayloadSchema = z.object({
  ...jobCommon,
  pf: ifNameSchema,
  numVfs: uint.max(256),
  /**
   * SR-IOV policies: attributes every free VF of the PF gets (`ip link set PF vf N ...`).
   * Absent: the VF count alone is set (configureSriov by hand).
   */
  vfDefaults: vfDefaultsSchema.optional(),
  /** VF indexes netpin has allocated to VMs: their attributes are the VMs' business. */
  keepVfs: z.array(uint.max(255)).max(256).optional(),
  /**
   * Refuse to change the VF count while any VF carries a MAC address (a VM's, set by
   * vm.apply): the host's own view, so a VF allocated after the API decided is never destroyed.
   */
  refuseIfVfsInUse: z.boolean().optional(),
});
export type ConfigureSriovPayload = z.output<typeof configureSriovPayloadSchema>;

export const vmApplyPayloadSchema = z.object({ ...jobCommon, ...vmDesiredStateSchema.shape });
export type VmApplyPayload = z.output<typeof vmApplyPayloadSchema>;

export const vmVerifyPayloadSchema = z.object({ ...jobCommon, ...vmDesiredStateSchema.shape });
export type VmVerifyPayload = z.output<typeof vmVerifyPayloadSchema>;

export const vfRefSchema = z.object({ pf: ifNameSchema, vfIndex: uint.max(255) });
export type VfRef = z.output<typeof vfRefSchema>;

/** What a VM hands back to its host: each resource to what it held before netpin changed it. */
export const hostReleaseSchema = z.object({
  /** VFs handed back: to what they held before netpin, else VF_CLEAN_DEFAULTS. */
  vfs: z.array(vfRefSchema).max(64),
  /** IRQs no other VM relies on: their affinity goes back to what it was before netpin changed it. */
  irqs: z.array(uint.max(65535)).max(256).default([]),
  /** Receive queues no other VM relies on: RPS goes back to what it was before netpin changed it. */
  rps: z
    .array(z.object({ dev: ifNameSchema, rxQueue: uint.max(4095) }))
    .max(256)
    .default([]),
  /** The VM's vhost-user ports: deleted, each only while it carries this VM's mark. */
  vhostUserPorts: z
    .array(z.object({ bridge: ifNameSchema, port: ifNameSchema }))
    .max(16)
    .default([]),
  /** The VM's vdpa devices: deleted by name (absent ones are already gone). */
  vdpaDevices: z.array(vdpaDeviceNameSchema).max(16).default([]),
});
export type HostRelease = z.output<typeof hostReleaseSchema>;

export const vmTeardownPayloadSchema = z.object({
  ...jobCommon,
  /** Only a domain carrying this VM's ownership mark is destroyed and undefined. */
  vmId: vmIdSchema,
  vmName: domainNameSchema,
  /** The generation this teardown serves: it raises the VM's fence to it before touching the host. */
  vmGeneration: vmGenerationSchema,
  ...hostReleaseSchema.shape,
});
export type VmTeardownPayload = z.output<typeof vmTeardownPayloadSchema>;

/** Longest graceful shutdown a stop may wait for before it forces the domain off. */
export const MAX_SHUTDOWN_TIMEOUT_SECONDS = 3600;

export const vmStopPayloadSchema = z.object({
  ...jobCommon,
  /** Only a domain carrying this VM's ownership mark is shut down. */
  vmId: vmIdSchema,
  vmName: domainNameSchema,
  /** The generation this stop serves: it raises the VM's fence to it (a job made before the stop is stale). */
  vmGeneration: vmGenerationSchema,
  /** `virsh shutdown` (ACPI), then wait this long for the guest to power off before `virsh destroy`. */
  shutdownTimeoutMs: uint.max(MAX_SHUTDOWN_TIMEOUT_SECONDS * 1000),
  /** Present: the stopped VM gives its host resources back (domain undefined, VFs, IRQs, RPS restored). */
  release: hostReleaseSchema.optional(),
});
export type VmStopPayload = z.output<typeof vmStopPayloadSchema>;

export const vmRebootPayloadSchema = z.object({
  ...jobCommon,
  /** Only a domain carrying this VM's ownership mark is rebooted. */
  vmId: vmIdSchema,
  vmName: domainNameSchema,
  vmGeneration: vmGenerationSchema,
});
export type VmRebootPayload = z.output<typeof vmRebootPayloadSchema>;

/** The one `<interface>` a hot-plug job plugs or unplugs: rendered by the API (renderInterfaceDevice), found on the host by its MAC. */
const interfaceDeviceShape = {
  deviceXml: z
    .string()
    .min(1)
    .max(16 * 1024),
  mac: macAddressSchema,
};

/**
 * vm.attachInterface: the VM's desired state with the new interface (what vm.apply would
 * converge to: VFs, IRQ affinity, RPS masks, the domain XML) and the device to plug into the
 * running domain (`virsh attach-device --live --config`; --config alone when it is shut off).
 */
export const vmAttachInterfacePayloadSchema = z.object({ ...jobCommon, ...vmDesiredStateSchema.shape, ...interfaceDeviceShape });
export type VmAttachInterfacePayload = z.output<typeof vmAttachInterfacePayloadSchema>;

/** Longest a detach waits for the guest to release a device it was asked to unplug. */
export const MAX_DEVICE_RELEASE_TIMEOUT_MS = 600_000;
/** How long a detach waits for that unless the caller says. */
export const DEFAULT_DETACH_TIMEOUT_SECONDS = 30;

/**
 * vm.detachInterface (also the clean-up of an attach that failed): unplug the device
 * (`virsh detach-device --live --config`), wait for the guest to release it, then give back
 * what `release` lists. `domainXml` is the VM's definition without the interface.
 */
export const vmDetachInterfacePayloadSchema = z.object({
  ...jobCommon,
  vmId: vmIdSchema,
  vmName: domainNameSchema,
  vmGeneration: vmGenerationSchema,
  domainXml: vmDesiredStateSchema.shape.domainXml,
  ...interfaceDeviceShape,
  release: hostReleaseSchema,
  /** A live detach only asks the guest (ACPI PCI hot-unplug): how long to wait for it to let go. */
  releaseTimeoutMs: uint.max(MAX_DEVICE_RELEASE_TIMEOUT_MS),
});
export type VmDetachInterfacePayload = z.output<typeof vmDetachInterfacePayloadSchema>;
const deviceXmlSchema = z
  .string()
  .min(1)
  .max(16 * 1024);

/** One host's side of a migration: what the VM is (or will be) there. */
export const migrationEndSchema = z.object({
  /** The persistent definition on that host, rendered from that host's plan. */
  domainXml: vmDesiredStateSchema.shape.domainXml,
  /** What `virsh migrate --xml` sends there: the definition without the failover VFs (unplugged for the copy). */
  liveXml: vmDesiredStateSchema.shape.domainXml,
  vfs: vmDesiredStateSchema.shape.vfs,
  irqAffinity: vmDesiredStateSchema.shape.irqAffinity,
  rps: vmDesiredStateSchema.shape.rps,
  /** Its vhost-user ports there (made before the domain starts on the target, like vm.apply does). */
  vhostUserPorts: vmDesiredStateSchema.shape.vhostUserPorts,
  /** The VF members of failover pairs on that host: `<interface type='hostdev'>` alone, for attach/detach-device. */
  failoverVfs: z.array(z.object({ mac: macAddressSchema, deviceXml: deviceXmlSchema })).max(64),
  /** What the VM gives back to that host when it leaves it (the source after a move, the target after an abort). */
  release: hostReleaseSchema,
});
export type MigrationEnd = z.output<typeof migrationEndSchema>;

/**
 * libvirt URI of the target as the source host's libvirt reaches it (virsh migrate's desturi):
 * qemu+ssh (keys between the hosts) or qemu+tcp/tls, always /system; no query string.
 */
export const migrationUriSchema = z
  .string()
  .max(300)
  .regex(
    /^qemu\+(ssh|tcp|tls):\/\/([A-Za-z0-9_.-]+@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(:\d{1,5})?\/system$/,
    'a qemu+ssh|tcp|tls://[user@]host[:port]/system URI',
  );

export const vmMigratePayloadSchema = z.object({
  ...jobCommon,
  /** `host` is the source; both hosts' locks are held, taken in host id order. */
  target: hostTargetSchema,
  vmId: vmIdSchema,
  vmName: domainNameSchema,
  /** The generation the migration serves: it raises the VM's fence (a repair queued before cannot touch either host). */
  vmGeneration: vmGenerationSchema,
  strategy: z.enum(MIGRATION_STRATEGIES),
  /** COLD: `virsh shutdown`, then this long for the guest to power off before `virsh destroy`. */
  shutdownTimeoutMs: uint.max(MAX_SHUTDOWN_TIMEOUT_SECONDS * 1000).default(60_000),
  destUri: migrationUriSchema,
  /** The source's libvirt URI as the target reaches it: a live migration rolled back after the transfer comes back this way. */
  sourceUri: migrationUriSchema,
  source: migrationEndSchema,
  dest: migrationEndSchema,
});
export type VmMigratePayload = z.output<typeof vmMigratePayloadSchema>;

export const hostJobPayloadSchemas = {
  'host.discover': discoverPayloadSchema,
  'host.configureSriov': configureSriovPayloadSchema,
  'vm.apply': vmApplyPayloadSchema,
  'vm.verify': vmVerifyPayloadSchema,
  'vm.teardown': vmTeardownPayloadSchema,
  'vm.stop': vmStopPayloadSchema,
  'vm.reboot': vmRebootPayloadSchema,
  'vm.attachInterface': vmAttachInterfacePayloadSchema,
  'vm.detachInterface': vmDetachInterfacePayloadSchema,
  'vm.migrate': vmMigratePayloadSchema,
} as const satisfies Record<HostJobName, z.ZodType>;
export type HostJobPayloads = { [K in HostJobName]: z.output<(typeof hostJobPayloadSchemas)[K]> };

/** Clean VF defaults a teardown restores (docs/datapaths.md). */
export const VF_CLEAN_DEFAULTS = {
  mac: '00:00:00:00:00:00',
  vlan: 0,
  vlanProtocol: 'DOT1Q',
  spoofchk: true,
  trust: false,
  maxTxRateMbps: 0,
  minTxRateMbps: 0,
} as const;

// ---------------------------------------------------------------------------------------
// Results

export const OPERATION_ERROR_CODES = [
  'BAD_PAYLOAD',
  'CREDENTIAL_UNAVAILABLE',
  'HOST_KEY_MISMATCH',
  'SSH_UNREACHABLE',
  'SSH_AUTH_FAILED',
  'COMMAND_FAILED',
  'PARSE_FAILED',
  'VERIFY_MISMATCH',
  'TIMEOUT',
  'INTERNAL',
  /** A domain of that name exists on the host without netpin's mark for this VM: never touched. */
  'FOREIGN_DOMAIN',
  /** The job was made for an older generation of its VM (queued before a delete): nothing more was done. */
  'STALE_JOB',
  /** The host lock expired or was taken over while the job ran: stopped before its next step. */
  'LOCK_LOST',
  /** host.configureSriov would destroy VFs netpin has allocated (the claims current under the host lock): nothing changed. */
  'VF_IN_USE',
  /** A live detach was asked of the guest, which did not release the device in time: it still has it. */
  'DEVICE_NOT_RELEASED',
] as const;
export type OperationErrorCode = (typeof OPERATION_ERROR_CODES)[number];

/** Message and stderr carry host output: cleaned of control characters and cut, whoever sent them. */
export const operationErrorSchema = z.object({
  code: z.enum(OPERATION_ERROR_CODES),
  message: hostTextSchema(HOST_TEXT_LIMITS.message),
  command: hostTextSchema(HOST_TEXT_LIMITS.message).optional(),
  stderr: hostTextSchema(HOST_TEXT_LIMITS.stderr).optional(),
});
export type OperationError = z.output<typeof operationErrorSchema>;

export const STEP_STATES = ['SUCCEEDED', 'SKIPPED', 'FAILED'] as const;
export type StepState = (typeof STEP_STATES)[number];

export const operationStepSchema = z.object({
  name: z.string(),
  state: z.enum(STEP_STATES),
  /** ISO-8601 timestamps. */
  startedAt: z.string(),
  finishedAt: z.string(),
});
export type OperationStep = z.output<typeof operationStepSchema>;

/**
 * Progress the agent reports through job.updateProgress while a job runs: step `index` of
 * `total` has started; `fraction` (0..1), when present, is how far that step got (vm.migrate's
 * transfer, from libvirt's domjobinfo).
 */
export const jobProgressSchema = z.object({ step: z.string(), index: uint, total: uint, fraction: z.number().min(0).max(1).optional() });
export type JobProgress = z.output<typeof jobProgressSchema>;

export const stateDiffEntrySchema = z.object({
  /** Dotted path, e.g. "vf.ens1f0.3.vlan", "irq.120.affinity", "domain.xml". */
  field: z.string(),
  expected: z.string(),
  /** What the host reported. */
  actual: hostTextSchema(HOST_TEXT_LIMITS.message),
});
export type StateDiffEntry = z.output<typeof stateDiffEntrySchema>;

export const configureSriovResultDataSchema = z.object({
  pf: ifNameSchema,
  numVfs: uint,
  previousNumVfs: uint,
  /** With vfDefaults: VFs whose attributes were changed, and free VFs left alone because they carry a MAC. */
  configuredVfs: z.array(uint).optional(),
  skippedInUse: z.array(uint).optional(),
});
export const vmApplyResultDataSchema = z.object({ vmName: domainNameSchema, changed: z.array(z.string()), running: z.boolean() });
export const vmVerifyResultDataSchema = z.object({ vmName: domainNameSchema, inSync: z.boolean(), diff: z.array(stateDiffEntrySchema) });
export const vmTeardownResultDataSchema = z.object({ vmName: domainNameSchema, changed: z.array(z.string()) });
/** forced: the guest did not power off within the timeout and was destroyed; released: the host resources went back too. */
export const vmStopResultDataSchema = z.object({
  vmName: domainNameSchema,
  changed: z.array(z.string()),
  forced: z.boolean(),
  released: z.boolean(),
});
export const vmRebootResultDataSchema = z.object({ vmName: domainNameSchema, changed: z.array(z.string()) });
/** live: the running guest was changed too (false: the domain was shut off, only its definition changed). */
export const vmInterfaceResultDataSchema = z.object({
  vmName: domainNameSchema,
  mac: macAddressSchema,
  changed: z.array(z.string()),
  live: z.boolean(),
});

/**
 * A migration's outcome. Succeeded: the VM runs on the target. Failed: `runningOn` says where
 * the rollback left it (`source`: running there with its VFs plugged, the target given back;
 * `unknown`: the rollback failed too, see the error). transferMs: how long libvirt's copy took.
 */
export const vmMigrateResultDataSchema = z.object({
  vmName: domainNameSchema,
  changed: z.array(z.string()),
  strategy: z.enum(MIGRATION_STRATEGIES),
  transferMs: uint,
  runningOn: z.enum(['source', 'target', 'unknown']),
  rollback: z.array(z.string()).default([]),
});
export type VmMigrateResultData = z.output<typeof vmMigrateResultDataSchema>;

export const hostJobResultDataSchemas = {
  'host.discover': hostFactsSchema,
  'host.configureSriov': configureSriovResultDataSchema,
  'vm.apply': vmApplyResultDataSchema,
  'vm.verify': vmVerifyResultDataSchema,
  'vm.teardown': vmTeardownResultDataSchema,
  'vm.stop': vmStopResultDataSchema,
  'vm.reboot': vmRebootResultDataSchema,
  'vm.attachInterface': vmInterfaceResultDataSchema,
  'vm.detachInterface': vmInterfaceResultDataSchema,
  'vm.migrate': vmMigrateResultDataSchema,
} as const satisfies Record<HostJobName, z.ZodType>;
export type HostJobResultData = { [K in HostJobName]: z.output<(typeof hostJobResultDataSchemas)[K]> };

const resultBase = {
  operationId: z.uuid(),
  requestId: z.string(),
  hostId: z.string(),
  status: z.enum(['SUCCEEDED', 'FAILED']),
  error: operationErrorSchema.optional(),
  steps: z.array(operationStepSchema),
  /** How many times the agent started this operation (retries after dropped connections). */
  attempts: z.number().int().min(1),
  /** Set when the host was reached with trustOnFirstUse: the key the API should pin now. */
  observedHostKeyFingerprint: hostKeyFingerprintSchema.optional(),
};

export const operationResultSchema = z
  .discriminatedUnion('kind', [
    z.object({ ...resultBase, kind: z.literal('host.discover'), data: hostFactsSchema.optional() }),
    z.object({ ...resultBase, kind: z.literal('host.configureSriov'), data: configureSriovResultDataSchema.optional() }),
    z.object({ ...resultBase, kind: z.literal('vm.apply'), data: vmApplyResultDataSchema.optional() }),
    z.object({ ...resultBase, kind: z.literal('vm.verify'), data: vmVerifyResultDataSchema.optional() }),
    z.object({ ...resultBase, kind: z.literal('vm.teardown'), data: vmTeardownResultDataSchema.optional() }),
    z.object({ ...resultBase, kind: z.literal('vm.stop'), data: vmStopResultDataSchema.optional() }),
    z.object({ ...resultBase, kind: z.literal('vm.reboot'), data: vmRebootResultDataSchema.optional() }),
    z.object({ ...resultBase, kind: z.literal('vm.attachInterface'), data: vmInterfaceResultDataSchema.optional() }),
    z.object({ ...resultBase, kind: z.literal('vm.detachInterface'), data: vmInterfaceResultDataSchema.optional() }),
    z.object({ ...resultBase, kind: z.literal('vm.migrate'), data: vmMigrateResultDataSchema.optional() }),
  ])
  .refine((r) => (r.status === 'FAILED') === (r.error !== undefined), {
    message: 'a FAILED result carries an error and only a FAILED one does',
    path: ['error'],
  });
export type OperationResult = z.output<typeof operationResultSchema>;
