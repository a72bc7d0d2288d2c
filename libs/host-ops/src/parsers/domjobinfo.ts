import { HostOutputParseError } from '../errors';
import { splitLines } from './lines';

/** The bytes of a job's data as `virsh domjobinfo` prints them (vshPrettyCapacity: a 3-decimal number and a unit). */
export interface DomJobData {
  processed: number;
  remaining: number;
  total: number;
}

/** A domain's job as `virsh domjobinfo` shows it; `data` only once the hypervisor counts bytes. */
export interface DomJobInfo {
  /** "None" when the domain has no job, else libvirt's job type ("Unbounded" for a migration). */
  type: string;
  /** "Outgoing migration" and the like; null when virsh printed no operation. */
  operation: string | null;
  elapsedMs: number | null;
  /**
   * Data processed/remaining/total. Absent while the migration is still being set up: the
   * real answer recorded then (libs/host-ops/src/__fixtures__/real/virsh-migrate.json,
   * "domjobinfo-migrating") has only the job type, the operation and the time elapsed.
   */
  data: DomJobData | null;
}

const UNITS: Record<string, number> = { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40, PiB: 2 ** 50, EiB: 2 ** 60 };

function bytes(value: string, line: string, n: number): number {
  const m = /^(\d+(?:\.\d+)?) (B|KiB|MiB|GiB|TiB|PiB|EiB)$/.exec(value);
  if (!m) throw new HostOutputParseError('virsh domjobinfo', `cannot read the size "${value}"`, line, n);
  return Math.round(Number(m[1]) * UNITS[m[2]]);
}

/**
 * `virsh domjobinfo NAME` ("%-17s %-12s" rows: "Job type:         Unbounded   "; sizes
 * "%-17s %-.3lf %s", the format strings of virsh 9.0, whose answers without data rows are
 * recorded in __fixtures__/real/virsh-migrate.json). Rows this
 * parser does not use (memory, bandwidth, dirty rate... they vary with the libvirt version)
 * are passed over; a row without a label, or a size it cannot read, is a parse error.
 */
export function parseDomjobinfo(text: string): DomJobInfo {
  const rows = new Map<string, { value: string; line: string; n: number }>();
  splitLines(text).forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^([A-Za-z][A-Za-z ]*):\s+(.*?)\s*$/.exec(line);
    if (!m) throw new HostOutputParseError('virsh domjobinfo', 'expected "Label: value"', line, i + 1);
    rows.set(m[1], { value: m[2], line, n: i + 1 });
  });
  const type = rows.get('Job type');
  if (!type) throw new HostOutputParseError('virsh domjobinfo', 'no "Job type" row', splitLines(text)[0] ?? '');
  const elapsed = rows.get('Time elapsed');
  const elapsedMatch = elapsed ? /^(\d+) +ms$/.exec(elapsed.value) : null;
  if (elapsed && !elapsedMatch) throw new HostOutputParseError('virsh domjobinfo', 'cannot read the time elapsed', elapsed.line, elapsed.n);
  const [processed, remaining, total] = ['Data processed', 'Data remaining', 'Data total'].map((k) => rows.get(k));
  return {
    type: type.value,
    operation: rows.get('Operation')?.value ?? null,
    elapsedMs: elapsedMatch ? Number(elapsedMatch[1]) : null,
    data:
      processed && remaining && total
        ? {
            processed: bytes(processed.value, processed.line, processed.n),
            remaining: bytes(remaining.value, remaining.line, remaining.n),
            total: bytes(total.value, total.line, total.n),
          }
        : null,
  };
}

/**
 * How far a job's data got, 0..1: processed / (processed + remaining), which stays right when
 * libvirt's total grows with dirtied pages (an unbounded migration); null without data.
 */
export function domJobFraction(info: DomJobInfo): number | null {
  if (!info.data) return null;
  const { processed, remaining } = info.data;
  if (processed + remaining <= 0) return null;
  return Math.min(1, Math.max(0, processed / (processed + remaining)));
}
