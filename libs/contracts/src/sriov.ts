import { z } from 'zod';
import { VF_LINK_STATES } from './host-facts';
import { labelKeySchema, labelValueSchema } from './inventory';
import { resourceNameSchema } from './values';

/**
 * SR-IOV VF pools as a declarative policy (docs/sriov-policies.md): a selector over hosts
 * and PFs, the VF count every matched PF should carry, and the attributes its free VFs get.
 */
export const SRIOV_TARGET_STATES = ['PENDING', 'CONVERGED', 'BLOCKED', 'FAILED'] as const;
export type SriovTargetState = (typeof SRIOV_TARGET_STATES)[number];

/** The kernel's own limit is the PF's sriov_totalvfs; 256 is what any PF we know offers. */
export const SRIOV_MAX_VFS = 256;

/**
 * Globs over host and interface names: "*" any run, "?" one character. Only characters an
 * interface or host name may hold plus the two wildcards, so a pattern can never carry
 * path or shell syntax even though it is only ever matched in memory.
 */
export const sriovGlobSchema = z
  .string()
  .min(1, 'pattern must not be empty')
  .max(64, 'pattern must be at most 64 characters')
  .regex(/^[A-Za-z0-9_.*?-]+$/, 'pattern may contain only letters, digits, "_", ".", "-", "*" and "?"');

/** A PCI vendor or device id as sysfs prints it without the 0x: 4 hex digits, lower case. */
export const pciIdSchema = z
  .string()
  .regex(/^[0-9A-Fa-f]{4}$/, 'must be 4 hex digits, e.g. 8086')
  .transform((s) => s.toLowerCase());

/** A kernel driver name (uevent DRIVER=), e.g. ixgbe, mlx5_core. */
export const driverNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'driver may contain only letters, digits, "_", "." and "-" (at most 64)');

const rate = z.number().int('must be an integer').min(0, 'must be 0 (unlimited) or more').max(1_000_000, 'must be at most 1000000 Mbit/s');

/** What a policy gives every free VF of a matched PF. */
export const vfDefaultsSchema = z.object({
  spoofchk: z.boolean(),
  trust: z.boolean(),
  linkState: z.enum(VF_LINK_STATES, { message: 'linkState must be auto, enable or disable' }),
  /** Mbit/s, 0 = unlimited. */
  maxTxRateMbps: rate,
});
export type VfDefaults = z.output<typeof vfDefaultsSchema>;

const hostLabelsSchema = z
  .array(z.object({ key: labelKeySchema, value: labelValueSchema }))
  .max(32, 'at most 32 labels')
  .superRefine((ls, ctx) => {
    const seen = new Set<string>();
    ls.forEach((l, i) => {
      if (seen.has(l.key)) ctx.addIssue({ code: 'custom', path: [i, 'key'], message: `label key "${l.key}" given twice` });
      seen.add(l.key);
    });
  })
  .transform((ls) => Object.fromEntries(ls.map((l) => [l.key, l.value])) as Record<string, string>);

const fields = {
  priority: z.number().int('priority must be an integer').min(-1_000_000).max(1_000_000),
  hostNamePattern: sriovGlobSchema.nullable(),
  hostLabels: hostLabelsSchema,
  pfNamePattern: sriovGlobSchema.nullable(),
  driver: driverNameSchema.nullable(),
  vendorId: pciIdSchema.nullable(),
  deviceId: pciIdSchema.nullable(),
  numVfs: z
    .number()
    .int('numVfs must be an integer')
    .min(0, `numVfs must be between 0 and ${SRIOV_MAX_VFS}`)
    .max(SRIOV_MAX_VFS, `numVfs must be between 0 and ${SRIOV_MAX_VFS}`),
  ...vfDefaultsSchema.shape,
};

export const createSriovPolicyInputSchema = z.object({
  name: resourceNameSchema,
  priority: fields.priority.default(0),
  hostNamePattern: fields.hostNamePattern.default(null),
  hostLabels: fields.hostLabels.prefault([]),
  pfNamePattern: fields.pfNamePattern.default(null),
  driver: fields.driver.default(null),
  vendorId: fields.vendorId.default(null),
  deviceId: fields.deviceId.default(null),
  numVfs: fields.numVfs,
  spoofchk: fields.spoofchk.default(true),
  trust: fields.trust.default(false),
  linkState: fields.linkState.default('auto'),
  maxTxRateMbps: fields.maxTxRateMbps.default(0),
});
export type CreateSriovPolicyInput = z.output<typeof createSriovPolicyInputSchema>;

/** Every field optional; null clears a selector field, absent leaves it as it is. */
export const updateSriovPolicyInputSchema = z
  .object({
    priority: fields.priority.optional(),
    hostNamePattern: fields.hostNamePattern.optional(),
    hostLabels: fields.hostLabels.optional(),
    pfNamePattern: fields.pfNamePattern.optional(),
    driver: fields.driver.optional(),
    vendorId: fields.vendorId.optional(),
    deviceId: fields.deviceId.optional(),
    numVfs: fields.numVfs.optional(),
    spoofchk: fields.spoofchk.optional(),
    trust: fields.trust.optional(),
    linkState: fields.linkState.optional(),
    maxTxRateMbps: fields.maxTxRateMbps.optional(),
  })
  .refine((o) => Object.values(o).some((v) => v !== undefined), 'at least one field must be given');
export type UpdateSriovPolicyInput = z.output<typeof updateSriovPolicyInputSchema>;

/** A stored policy as the resolver reads it. */
export interface SriovPolicySpec {
  name: string;
  priority: number;
  hostNamePattern: string | null;
  hostLabels: Record<string, string>;
  pfNamePattern: string | null;
  driver: string | null;
  vendorId: string | null;
  deviceId: string | null;
  numVfs: number;
  spoofchk: boolean;
  trust: boolean;
  linkState: VfDefaults['linkState'];
  maxTxRateMbps: number;
}
