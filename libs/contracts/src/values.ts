import { z } from 'zod';
import { cleanHostText } from './host-text';

/**
 * Typed values for everything that may one day reach a shell, sysfs or a libvirt XML
 * document. Each is parsed once at the edge (API input, host output) and carried as a
 * branded type afterwards, so a raw string can never be passed where a checked one is due.
 */
type Brand<T, B extends string> = T & { readonly __brand: B };

export type IfName = Brand<string, 'IfName'>;
export type MacAddress = Brand<string, 'MacAddress'>;
export type PciAddress = Brand<string, 'PciAddress'>;
export type VlanId = Brand<number, 'VlanId'>;
export type DomainName = Brand<string, 'DomainName'>;
export type ResourceName = Brand<string, 'ResourceName'>;

/**
 * Linux accepts any name shorter than IFNAMSIZ (16) without '/', ':' or whitespace.
 * We accept a strict subset (letters, digits, '_', '.', '-', starting alphanumeric) so a
 * name is also safe as a sysfs path component and a command argument.
 */
export const ifNameSchema = z
  .string()
  .min(1, 'interface name must not be empty')
  .max(15, 'interface name must be at most 15 characters (IFNAMSIZ - 1)')
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
    'interface name may contain only letters, digits, "_", "." and "-" and must start with a letter or digit',
  )
  .refine((s) => s !== '.' && s !== '..', 'interface name must not be "." or ".."')
  .transform((s) => s as IfName);

/** A unicast Ethernet MAC, normalised to lower case with colons. */
export const macAddressSchema = z
  .string()
  .trim()
  .regex(/^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$/, 'MAC address must look like 52:54:00:12:34:56')
  .transform((s) => s.toLowerCase().replace(/-/g, ':'))
  .refine((s) => (parseInt(s.slice(0, 2), 16) & 1) === 0, 'MAC address must be unicast (first octet even)')
  .transform((s) => s as MacAddress);

/** Any MAC as printed by the kernel (VFs report 00:00:00:00:00:00 when unset). */
export const anyMacSchema = z
  .string()
  .regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i)
  .transform((s) => s.toLowerCase() as MacAddress);

/** 802.1Q VLAN id; 0 means untagged. 4095 is reserved. */
export const vlanIdSchema = z
  .number()
  .int('VLAN id must be an integer')
  .min(0, 'VLAN id must be between 0 and 4094')
  .max(4094, 'VLAN id must be between 0 and 4094')
  .transform((n) => n as VlanId);

/** A VLAN a trunk carries or its native VLAN: 1..4094 (0 is "untagged" and cannot be trunked). */
export const trunkVlanIdSchema = z
  .number()
  .int('VLAN id must be an integer')
  .min(1, 'VLAN id must be between 1 and 4094')
  .max(4094, 'VLAN id must be between 1 and 4094')
  .transform((n) => n as VlanId);

/** The most VLANs one trunk lists (libvirt writes one <tag> each; OVS one trunks entry each). */
export const MAX_TRUNK_VLANS = 128;

/** A trunk's VLANs: distinct, 1..4094, kept ascending. */
export const trunkVlansSchema = z
  .array(trunkVlanIdSchema)
  .max(MAX_TRUNK_VLANS, `a trunk carries at most ${MAX_TRUNK_VLANS} VLANs`)
  .refine((v) => new Set(v).size === v.length, 'trunk VLANs must be distinct')
  .transform((v) => [...v].sort((a, b) => a - b));

/** PCI address domain:bus:slot.function, normalised to 0000:3b:00.1. */
export const pciAddressSchema = z
  .string()
  .trim()
  .regex(/^([0-9A-Fa-f]{4}:)?[0-9A-Fa-f]{2}:[0-1][0-9A-Fa-f]\.[0-7]$/, 'PCI address must look like 0000:3b:00.1')
  .transform((s) => (s.length === 7 ? `0000:${s}` : s).toLowerCase() as PciAddress);

/** libvirt domain name: we keep to a safe subset usable as a file name and argument. */
export const domainNameSchema = z
  .string()
  .min(1, 'name must not be empty')
  .max(64, 'name must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'name may contain only letters, digits, "_", "." and "-" and must start with a letter or digit')
  .transform((s) => s as DomainName);

/** Names of netpin resources (hosts, networks): DNS-label-like. */
export const resourceNameSchema = z
  .string()
  .min(1, 'name must not be empty')
  .max(63, 'name must be at most 63 characters')
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'name must be lower-case letters, digits and "-", starting and ending with a letter or digit')
  .transform((s) => s as ResourceName);

const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const hostname = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
/** SSH address: IPv4, bracket-less IPv6, or a DNS name. */
export const sshAddressSchema = z
  .string()
  .trim()
  .min(1, 'address must not be empty')
  .refine(
    (s) => (/^[\d.]+$/.test(s) ? ipv4.test(s) : hostname.test(s) || isIpv6(s)),
    'address must be an IPv4 address, an IPv6 address or a host name',
  );

function isIpv6(s: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || !s.includes(':')) return false;
  const parts = s.split('::');
  if (parts.length > 2) return false;
  const groups = parts.flatMap((p) => (p === '' ? [] : p.split(':')));
  return (
    groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g) || ipv4.test(g)) && (parts.length === 2 ? groups.length < 8 : groups.length === 8)
  );
}

export const portSchema = z
  .number()
  .int('port must be an integer')
  .min(1, 'port must be between 1 and 65535')
  .max(65535, 'port must be between 1 and 65535');

/** Unix user name for SSH. */
export const sshUserSchema = z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'user must be a valid Unix user name');

/** SHA256 host-key fingerprint as OpenSSH prints it: SHA256:<base64 without padding>. */
export const hostKeyFingerprintSchema = z
  .string()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'fingerprint must look like SHA256:<43 base64 characters>');

// ---------------------------------------------------------------------------------------
// CPU lists ("0-3,8-11") and masks ("ff,ffffffff") as the kernel prints them.

export class ValueParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValueParseError';
  }
}

/** Parse a kernel CPU list ("0-3,8-11", "" for none) into sorted unique CPU ids. */
export function parseCpuList(text: string): number[] {
  const s = text.trim();
  if (s === '') return [];
  const out = new Set<number>();
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new ValueParseError(`invalid CPU list element "${part}"`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new ValueParseError(`invalid CPU range "${part}"`);
    if (b - a > 65536) throw new ValueParseError(`CPU range too large "${part}"`);
    for (let c = a; c <= b; c++) out.add(c);
  }
  return [...out].sort((x, y) => x - y);
}

/** Format CPU ids as the shortest kernel CPU list ("0-3,8-11"). */
export function formatCpuList(cpus: Iterable<number>): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export const cpuListSchema = z.string().transform((s, ctx) => {
  try {
    return parseCpuList(s);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});

/**
 * Parse a kernel CPU mask ("ff", "00000000,000000ff", "0") as used by smp_affinity and
 * rps_cpus: comma-separated 32-bit hex words, most significant first.
 */
export function parseCpuMask(text: string): number[] {
  const s = text.trim();
  if (!/^[0-9a-fA-F]+(,[0-9a-fA-F]+)*$/.test(s)) throw new ValueParseError(`invalid CPU mask "${text}"`);
  const words = s.split(',').reverse();
  const cpus: number[] = [];
  words.forEach((w, wi) => {
    const v = BigInt(`0x${w}`);
    for (let bit = 0; bit < w.length * 4; bit++) {
      if ((v >> BigInt(bit)) & 1n) cpus.push(wi * 32 + bit);
    }
  });
  return cpus.sort((a, b) => a - b);
}

/**
 * Format CPU ids as a kernel mask: 32-bit words of 8 hex digits separated by commas, most
 * significant first, sized for `nrCpus` (as the kernel does for the host's CPU count).
 */
export function formatCpuMask(cpus: Iterable<number>, nrCpus: number): string {
  const words = Math.max(1, Math.ceil(nrCpus / 32));
  const vals = new Array<number>(words).fill(0);
  for (const c of cpus) {
    if (c < 0 || c >= words * 32) throw new ValueParseError(`CPU ${c} outside a mask of ${nrCpus} CPUs`);
    vals[Math.floor(c / 32)] |= 1 << (c % 32);
  }
  const hex = vals.map((v) => (v >>> 0).toString(16).padStart(8, '0')).reverse();
  // The kernel prints the most significant word with only as many digits as its CPUs need.
  const topBits = Math.max(1, nrCpus - 32 * (words - 1));
  hex[0] = hex[0].slice(8 - Math.ceil(topBits / 4));
  return hex.join(',');
}

/** A string field that holds host output: cleaned and cut where it is parsed (host-text.ts). */
export function hostTextSchema(max: number) {
  return z.string().transform((s) => cleanHostText(s, max));
}

/** A network's MTU: the kernel's Ethernet bounds (ETH_MIN_MTU 68, ETH_MAX_MTU 65535). */
export const mtuSchema = z.number().int().min(68).max(65535);
