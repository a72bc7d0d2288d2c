import { z } from 'zod';
import { HOST_STATES, MACVTAP_MODES, NATIVE_VLAN_MODES, NETWORK_KINDS, OPERATION_STATES, VLAN_PROTOCOLS, VM_STATES } from './enums';
import { DEFAULT_GUEST_CPU, guestCpuSchema, VIRT_TYPES } from './guest-cpu';
import { listArgsSchema } from './filters';
import {
  domainNameSchema,
  hostKeyFingerprintSchema,
  ifNameSchema,
  mtuSchema,
  portSchema,
  resourceNameSchema,
  sshAddressSchema,
  sshUserSchema,
  trunkVlanIdSchema,
  trunkVlansSchema,
  vlanIdSchema,
} from './values';

/** Reference to an SSH credential the agent resolves itself: never key material. */
export const credentialRefSchema = z
  .string()
  .regex(
    /^(file:[A-Za-z0-9_./-]{1,255}|secret:[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)$/,
    'credentialRef must be "file:<path>" or "secret:<name>" (an SSH secret stored with createSshSecret)',
  )
  .refine((s) => !s.includes('..'), 'credentialRef must not contain ".."')
  // the agent confines file: keys to its NETPIN_AGENT_KEY_DIR; an absolute path would name any file it can read
  .refine((s) => !s.startsWith('file:/'), 'credentialRef "file:<path>" is relative to the agent\'s NETPIN_AGENT_KEY_DIR, not absolute')
  .refine((s) => !/BEGIN [A-Z ]*PRIVATE KEY/.test(s), 'credentialRef must reference a key, not contain one');

/** Host label keys and values (also what SR-IOV policies select hosts by). */
export const labelKeySchema = z.string().regex(/^[a-z0-9][a-z0-9._/-]{0,62}$/, 'label keys are lower-case identifiers');
export const labelValueSchema = z.string().max(63, 'label values are at most 63 characters');

const labelsSchema = z.record(labelKeySchema, labelValueSchema).refine((r) => Object.keys(r).length <= 32, 'at most 32 labels');

export const registerHostInputSchema = z.object({
  name: resourceNameSchema,
  address: sshAddressSchema,
  port: portSchema.default(22),
  sshUser: sshUserSchema.default('root'),
  credentialRef: credentialRefSchema,
  hostKeyFingerprint: hostKeyFingerprintSchema.nullish(),
  trustOnFirstUse: z.boolean().default(false),
  labels: labelsSchema.default({}),
  virtType: z.enum(VIRT_TYPES).default('KVM'),
  guestCpu: guestCpuSchema.default(DEFAULT_GUEST_CPU),
});
export type RegisterHostInput = z.output<typeof registerHostInputSchema>;

export const updateHostInputSchema = z
  .object({
    address: sshAddressSchema.optional(),
    port: portSchema.optional(),
    sshUser: sshUserSchema.optional(),
    credentialRef: credentialRefSchema.optional(),
    hostKeyFingerprint: hostKeyFingerprintSchema.nullish(),
    trustOnFirstUse: z.boolean().optional(),
    labels: labelsSchema.optional(),
    virtType: z.enum(VIRT_TYPES).optional(),
    guestCpu: guestCpuSchema.optional(),
  })
  .refine((o) => Object.values(o).some((v) => v !== undefined), 'at least one field must be given');
export type UpdateHostInput = z.output<typeof updateHostInputSchema>;

export const hostFilterSchema = listArgsSchema({
  state: z.enum(HOST_STATES).optional(),
  sriovCapable: z.boolean().optional(),
  network: resourceNameSchema.optional(),
});
export type HostFilter = z.output<typeof hostFilterSchema>;

export const pageArgsSchema = listArgsSchema({
  first: z.number().int().min(1, 'first must be between 1 and 500').max(500, 'first must be between 1 and 500').default(50),
  after: z.string().max(200).nullish(),
});
export type PageArgs = z.output<typeof pageArgsSchema>;

/** VMs listed; DELETED ones only when asked for (by state, or includeDeleted). */
export const vmFilterSchema = listArgsSchema({
  hostId: z.uuid('hostId must be a UUID').optional(),
  hostName: resourceNameSchema.optional(),
  name: domainNameSchema.optional(),
  state: z.enum(VM_STATES).optional(),
  includeDeleted: z.boolean().optional(),
});
export type VmFilter = z.output<typeof vmFilterSchema>;

export const operationFilterSchema = listArgsSchema({
  state: z.enum(OPERATION_STATES).optional(),
  targetId: z.string().max(64).optional(),
  kind: z
    .string()
    .regex(/^[a-z]+\.[A-Za-z]+$/, 'kind looks like vm.create')
    .optional(),
});
export type OperationFilter = z.output<typeof operationFilterSchema>;

export const createNetworkInputSchema = z
  .object({
    name: resourceNameSchema,
    kind: z.enum(NETWORK_KINDS),
    bridge: ifNameSchema.nullish(),
    physnet: resourceNameSchema.nullish(),
    vlan: vlanIdSchema.nullish(),
    macvtapMode: z.enum(MACVTAP_MODES).nullish(),
    /** Jumbo frames; absent = the host's default (1500). */
    mtu: mtuSchema.nullish(),
    /** The ethertype of the VLAN's tag; DOT1AD (QinQ) needs a vlan. */
    vlanProtocol: z.enum(VLAN_PROTOCOLS).nullish(),
    /** A VLAN trunk instead of an access VLAN: the VLANs tagged to the guest. */
    trunkVlans: trunkVlansSchema.nullish(),
    /** The trunk's native VLAN; needs trunkVlans. */
    nativeVlan: trunkVlanIdSchema.nullish(),
    nativeVlanMode: z.enum(NATIVE_VLAN_MODES).nullish(),
  })
  .superRefine((n, ctx) => {
    vlanRules(n, ctx);
    if ((n.kind === 'LINUX_BRIDGE' || n.kind === 'OVS_BRIDGE') && !n.bridge) {
      ctx.addIssue({ code: 'custom', path: ['bridge'], message: `a ${n.kind} network needs a bridge name` });
    }
    if (n.kind === 'SRIOV_PHYSNET' && !n.physnet) {
      ctx.addIssue({ code: 'custom', path: ['physnet'], message: 'an SRIOV_PHYSNET network needs a physnet name' });
    }
    if (n.macvtapMode && n.kind !== 'MACVTAP' && n.kind !== 'SRIOV_PHYSNET') {
      ctx.addIssue({ code: 'custom', path: ['macvtapMode'], message: 'macvtapMode applies only to MACVTAP and SRIOV_PHYSNET networks' });
    }
  });
export type CreateNetworkInput = z.output<typeof createNetworkInputSchema>;

/** A network's VLAN fields together: an access VLAN or a trunk, 802.1ad only on an access VLAN. */
function vlanRules(
  n: {
    vlan?: number | null;
    vlanProtocol?: string | null;
    trunkVlans?: number[] | null;
    nativeVlan?: number | null;
    nativeVlanMode?: string | null;
  },
  ctx: z.RefinementCtx,
): void {
  const trunk = (n.trunkVlans ?? []).length > 0;
  if (trunk && n.vlan)
    ctx.addIssue({
      code: 'custom',
      path: ['trunkVlans'],
      message: 'a trunk has no access vlan: leave vlan unset and name the untagged VLAN as nativeVlan',
    });
  if (!trunk && n.nativeVlan != null) ctx.addIssue({ code: 'custom', path: ['nativeVlan'], message: 'nativeVlan needs trunkVlans' });
  if (!trunk && n.nativeVlanMode != null)
    ctx.addIssue({ code: 'custom', path: ['nativeVlanMode'], message: 'nativeVlanMode needs trunkVlans' });
  if (n.vlanProtocol === 'DOT1AD' && !n.vlan)
    ctx.addIssue({
      code: 'custom',
      path: ['vlanProtocol'],
      message: 'vlanProtocol DOT1AD needs an access vlan (802.1ad trunks are not supported)',
    });
}

/** What can change on a network that interfaces may already use: its MTU (null = back to the host's default). */
export const updateNetworkInputSchema = z.object({
  network: resourceNameSchema,
  mtu: mtuSchema.nullable(),
});
export type UpdateNetworkInput = z.output<typeof updateNetworkInputSchema>;

export const mapNetworkInputSchema = z.object({
  network: resourceNameSchema,
  host: resourceNameSchema,
  nic: ifNameSchema,
});
export type MapNetworkInput = z.output<typeof mapNetworkInputSchema>;
