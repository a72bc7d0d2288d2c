import { z } from 'zod';

/**
 * How a host runs its guests, an operator's per-host setting (like Nova's libvirt
 * virt_type, cpu_mode, cpu_models and cpu_model_extra_flags): real fleets differ here.
 * - virtType KVM needs VT-x/AMD-V and /dev/kvm; QEMU is full emulation (TCG), for hosts
 *   without them (tests, nested set-ups that expose no /dev/kvm), about 10x slower.
 * - guestCpu HOST_PASSTHROUGH exposes the host CPU as is (fastest; needs KVM); HOST_MODEL
 *   a migratable copy of it; CUSTOM a named QEMU model (e.g. "qemu64", "Skylake-Server").
 *   `features` adds or removes CPUID flags on any mode, e.g. disabling arch-capabilities
 *   where a nested hypervisor cannot give the guest that MSR.
 */
export const VIRT_TYPES = ['KVM', 'QEMU'] as const;
export type VirtType = (typeof VIRT_TYPES)[number];
export const GUEST_CPU_MODES = ['HOST_PASSTHROUGH', 'HOST_MODEL', 'CUSTOM'] as const;
export type GuestCpuMode = (typeof GUEST_CPU_MODES)[number];
/** libvirt's <feature policy>. */
export const CPU_FEATURE_POLICIES = ['force', 'require', 'optional', 'disable', 'forbid'] as const;
export type CpuFeaturePolicy = (typeof CPU_FEATURE_POLICIES)[number];

const cpuModelName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a CPU model name as QEMU lists it (letters, digits, _ . -)');
const cpuFeatureName = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'a CPUID feature name as libvirt spells it (lower case)');

export const cpuFeatureSchema = z.object({ name: cpuFeatureName, policy: z.enum(CPU_FEATURE_POLICIES) });
export type CpuFeature = z.output<typeof cpuFeatureSchema>;

export const guestCpuSchema = z
  .object({
    mode: z.enum(GUEST_CPU_MODES).default('HOST_PASSTHROUGH'),
    model: cpuModelName.nullish(),
    features: z.array(cpuFeatureSchema).max(64).default([]),
  })
  .superRefine((c, ctx) => {
    if (c.mode === 'CUSTOM' && !c.model) ctx.addIssue({ code: 'custom', path: ['model'], message: 'mode CUSTOM needs a model' });
    if (c.mode !== 'CUSTOM' && c.model)
      ctx.addIssue({ code: 'custom', path: ['model'], message: 'a model is given only with mode CUSTOM' });
    const names = c.features.map((f) => f.name);
    if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', path: ['features'], message: 'each feature once' });
  })
  .transform((c) => ({ mode: c.mode, model: c.model ?? null, features: c.features }));
export type GuestCpuSetting = z.output<typeof guestCpuSchema>;

export const DEFAULT_GUEST_CPU: GuestCpuSetting = { mode: 'HOST_PASSTHROUGH', model: null, features: [] };
