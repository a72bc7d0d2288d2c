import { parseCpuMask, pciAddressSchema, ValueParseError, type PciAddress } from '@netpin/contracts';
import { HostOutputParseError } from '../errors';
import { splitLines } from './lines';

/**
 * Output of `grep -H -s '' -- P1 P2 ...` ("PATH:line" per line) back into path -> content.
 * Paths may themselves contain ':' (PCI addresses), so each line is matched against the
 * requested paths, longest first, instead of split at a colon. Files that did not exist
 * are absent from the map; an existing empty file maps to "".
 */
export function parseGrepFiles(text: string, paths: readonly string[]): Map<string, string> {
  const requested = new Set(paths);
  const lines = new Map<string, string[]>();
  splitLines(text).forEach((line, i) => {
    const path = requestedPrefix(line, requested);
    if (path === undefined) throw new HostOutputParseError('grep -H', 'line does not start with a requested path', line, i + 1);
    const seen = lines.get(path);
    if (seen) seen.push(line.slice(path.length + 1));
    else lines.set(path, [line.slice(path.length + 1)]);
  });
  return new Map([...lines].map(([p, ls]) => [p, ls.join('\n')]));
}

/**
 * The longest requested path that `line` starts with, followed by ":": the line's prefixes
 * before each colon, rightmost first, looked up in the set (a path may hold colons itself, a
 * PCI address). Was a scan of every requested path for every line: quadratic in a read of
 * hundreds of IRQ files (issue 16).
 */
function requestedPrefix(line: string, requested: ReadonlySet<string>): string | undefined {
  for (let at = line.lastIndexOf(':'); at > 0; at = line.lastIndexOf(':', at - 1)) {
    const prefix = line.slice(0, at);
    if (requested.has(prefix)) return prefix;
  }
  return undefined;
}

/** `readlink P1 P2 ...` output: one target per line, in request order. */
export function parseReadlinks(text: string, expected: number): string[] {
  const lines = splitLines(text);
  if (lines.length !== expected) {
    throw new HostOutputParseError('readlink', `expected ${expected} link targets, got ${lines.length}`, lines[lines.length - 1] ?? '');
  }
  return lines;
}

/** A device symlink target such as "../0000:3b:02.0" (virtfnN) -> the PCI address. */
export function parsePciLinkTarget(target: string): PciAddress {
  const base = target.trim().split('/').pop() ?? '';
  const r = pciAddressSchema.safeParse(base);
  if (!r.success) throw new HostOutputParseError('readlink', 'link target is not a PCI device', target);
  return r.data;
}

/** sysfs uevent files: KEY=value lines (DRIVER=i40e, PCI_SLOT_NAME=0000:3b:00.0). */
export function parseUevent(text: string): Map<string, string> {
  const out = new Map<string, string>();
  splitLines(text).forEach((line, i) => {
    if (line === '') return;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new HostOutputParseError('uevent', 'expected KEY=value', line, i + 1);
    out.set(line.slice(0, eq), line.slice(eq + 1));
  });
  return out;
}

/** `ls -1d P1 P2 ...`: the set of paths that exist. */
export function parseExistingPaths(text: string): Set<string> {
  return new Set(splitLines(text).filter((l) => l !== ''));
}

/** Kernel command-line switches that turn the IOMMU on (VT-d / AMD-Vi). */
export function cmdlineEnablesIommu(cmdline: string): boolean {
  const params = cmdline.trim().split(/\s+/);
  return params.some(
    (p) => /^(intel_iommu=on|amd_iommu=on|amd_iommu=force_isolation|iommu=pt|iommu=force)$/.test(p) || /^intel_iommu=.*\bon\b/.test(p),
  );
}

/** rps_cpus / smp_affinity hex mask file -> CPU ids. */
export function parseCpuMaskFile(source: string, text: string): number[] {
  try {
    return parseCpuMask(text.trim());
  } catch (e) {
    if (e instanceof ValueParseError) throw new HostOutputParseError(source, e.message, text.trim());
    throw e;
  }
}

/**
 * sysfs device/vendor and device/device ("0x8086\n") -> "8086". A PCI id is 16 bits; the
 * kernel prints it with 0x and four lower-case hex digits.
 */
export function parsePciIdFile(source: string, text: string): string {
  const t = text.trim();
  const m = /^0x([0-9a-fA-F]{4})$/.exec(t);
  if (!m) throw new HostOutputParseError(source, 'expected a PCI id like 0x8086', t, 1);
  return m[1].toLowerCase();
}
