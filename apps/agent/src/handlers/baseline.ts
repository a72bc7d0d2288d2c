import { hostPaths, makeDir, parseGrepFiles, readFiles, removeFiles, writeFile, writeFilesBatch, type HostCommand } from '@netpin/host-ops';
import { commandFailed, type HostShell } from '../host-shell';

/**
 * What a host resource held before netpin first changed it, kept on the host itself
 * (/var/lib/netpin/baseline, one file per resource) so that a teardown after any failure,
 * by any agent, after any restart, puts back exactly that value: not "all CPUs", not a value
 * another VM left. The first VM to change a resource records it; later ones find the record
 * and leave it; the teardown that hands the resource back to the host restores it and
 * removes the record. Mutating jobs hold the host lock, so check-then-write cannot race.
 */
export interface FileResource {
  /** The sysfs/procfs file netpin writes (smp_affinity_list, rps_cpus). */
  path: string;
  /** Its baseline record. */
  baseline: string;
}

export const irqResource = (irq: number): FileResource => ({
  path: hostPaths.irqAffinityList(irq),
  baseline: hostPaths.irqBaseline(irq),
});

export const rpsResource = (dev: Parameters<typeof hostPaths.rpsCpus>[0], queue: number): FileResource => ({
  path: hostPaths.rpsCpus(dev, queue),
  baseline: hostPaths.rpsBaseline(dev, queue),
});

async function readMany(shell: HostShell, paths: readonly string[]): Promise<Map<string, string>> {
  if (paths.length === 0) return new Map();
  return parseGrepFiles((await shell.run(readFiles(paths))).stdout, paths);
}

/**
 * The writes (writeFile commands into the resources' files), after recording the current value
 * of each resource that has no record yet, all in one round trip (`mkdir` of the records' folder
 * first when a record is written). `known` holds what was read of the files and their records
 * together (readFileMap of both), before any of them was changed.
 */
export async function writeRecorded(
  shell: HostShell,
  resources: readonly FileResource[],
  writes: readonly HostCommand[],
  known: ReadonlyMap<string, string>,
): Promise<void> {
  const records = resources.flatMap((r) => {
    const value = known.get(r.path);
    return known.has(r.baseline) || value === undefined ? [] : [writeFile(r.baseline, value.trim())];
  });
  await writeFiles(shell, [...records, ...writes], records.length > 0 ? hostPaths.baselineDir : undefined);
}

/**
 * Run writeFile commands in one round trip (writeFilesBatch; with `dir`, made first). When the
 * batch fails, the writes run again one by one (each is idempotent) so that a failing one
 * answers with tee's own message (the file and the kernel's errno text); if none fails this
 * time, the batch's own failure stands: a step that saw a write fail never reports success.
 */
export async function writeFiles(shell: HostShell, writes: readonly HostCommand[], dir?: string): Promise<void> {
  if (writes.length === 0) return;
  const oneByOne = async (): Promise<void> => {
    if (dir !== undefined) await shell.run(makeDir(dir));
    for (const w of writes) await shell.run(w);
  };
  if ((writes.length === 1 && dir === undefined) || !batchable(writes)) return oneByOne();
  const batch = writeFilesBatch(writes, dir);
  const out = await shell.exec(batch);
  if (out.exitCode === 0) return;
  await oneByOne();
  throw commandFailed(batch, out);
}

function batchable(writes: readonly HostCommand[]): boolean {
  try {
    writeFilesBatch(writes);
    return true;
  } catch {
    return false; // a value echo would not print literally: tee one by one
  }
}

/**
 * Puts every recorded value back and forgets the records. Resources without a record were
 * never changed by netpin (or were restored already): they are left alone. Returns how many
 * were written.
 */
export async function restoreFileBaselines(shell: HostShell, resources: readonly FileResource[]): Promise<number> {
  const known = await readMany(
    shell,
    resources.map((r) => r.baseline),
  );
  const recorded = resources.filter((r) => known.has(r.baseline));
  await writeFiles(
    shell,
    recorded.map((r) => writeFile(r.path, (known.get(r.baseline) ?? '').trim())),
  );
  if (recorded.length > 0) await shell.run(removeFiles(recorded.map((r) => r.baseline)));
  return recorded.length;
}

/** Baseline records as raw text, by record path (VF records hold JSON). */
export async function readBaselineRecords(shell: HostShell, paths: readonly string[]): Promise<Map<string, string>> {
  return readMany(shell, paths);
}

/** One record, written with its folder made in the same round trip (writeFiles). */
export async function writeBaselineRecord(shell: HostShell, path: string, value: string): Promise<void> {
  await writeFiles(shell, [writeFile(path, value)], hostPaths.baselineDir);
}

export async function forgetBaselineRecords(shell: HostShell, paths: readonly string[]): Promise<void> {
  if (paths.length > 0) await shell.run(removeFiles(paths));
}
