import type { Page } from '@netpin/db';

const PAGE = 500;

export interface SweepDeps {
  /** one page of READY hosts, by name after the cursor */
  listPage(after: string | null, first: number): Promise<Page<{ id: string }>>;
  check(hostId: string): Promise<unknown>;
  onError(hostId: string, e: unknown): void;
  /** true once the process is stopping: the sweep ends early */
  stopped(): boolean;
  sleep?(ms: number): Promise<void>;
}

/** Every READY host's id, page by page (a fleet of any size). */
export async function readyHostIds(deps: Pick<SweepDeps, 'listPage'>): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await deps.listPage(after, PAGE);
    ids.push(...page.items.map((h) => h.id));
    if (!page.hasNextPage || !page.endCursor) return ids;
    after = page.endCursor;
  }
}

/**
 * One drift sweep: every READY host checked once, starts spread evenly over `spreadMs` (the
 * first at once), so a large fleet does not queue all its verify jobs in the same second.
 * A host whose check fails is reported and the sweep goes on.
 */
export async function sweepHosts(deps: SweepDeps, spreadMs: number): Promise<{ checked: number; hosts: number }> {
  const ids = await readyHostIds(deps);
  const gap = ids.length > 1 ? Math.floor(spreadMs / ids.length) : 0;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref()));
  let checked = 0;
  for (const [i, id] of ids.entries()) {
    if (deps.stopped()) break;
    if (i > 0 && gap > 0) await sleep(gap);
    try {
      await deps.check(id);
      checked++;
    } catch (e) {
      deps.onError(id, e);
    }
  }
  return { checked, hosts: ids.length };
}
