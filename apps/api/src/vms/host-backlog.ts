import type { VmRequest } from '@netpin/contracts';
import type { PlacementIndex, PlacementResult } from '@netpin/placement';

/**
 * A host's mutating jobs run one at a time (the agent's host lock), so a burst of creates
 * placed on one host waits for that host's applies in turn: under PACK, 22 VMs on one host
 * waited up to 2.4 s in the queue while other hosts that fit sat idle, and the burst could not
 * go faster than one host applies (docs/benchmarks.md, Provisioning). This process counts its
 * creates whose vm.apply has not answered yet, per host; placement leaves a host with
 * `limit` of them out while another host fits (and uses it when none does), so the wait for a
 * host stays near `limit` applies. A create another process's result consumer answered is
 * dropped after `maxAgeMs` (this process does not hear of it).
 */
export class HostBacklog {
  private readonly byOperation = new Map<string, { hostId: string; at: number }>();
  private readonly perHost = new Map<string, number>();

  constructor(
    readonly limit = 4,
    private readonly maxAgeMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** A create placed on `hostId` whose apply (operation `operationId`) is queued. */
  add(hostId: string, operationId: string): void {
    if (this.byOperation.has(operationId)) return;
    this.byOperation.set(operationId, { hostId, at: this.now() });
    this.perHost.set(hostId, (this.perHost.get(hostId) ?? 0) + 1);
  }

  /** The apply of `operationId` answered (or will never run); unknown ids are ignored. */
  done(operationId: string): void {
    const e = this.byOperation.get(operationId);
    if (!e) return;
    this.byOperation.delete(operationId);
    const n = (this.perHost.get(e.hostId) ?? 1) - 1;
    if (n > 0) this.perHost.set(e.hostId, n);
    else this.perHost.delete(e.hostId);
  }

  /** Hosts with `limit` or more applies queued by this process. */
  busy(): string[] {
    this.expire();
    return [...this.perHost].filter(([, n]) => n >= this.limit).map(([h]) => h);
  }

  /**
   * Place `req` leaving busy hosts out; when nothing else fits, place it as asked (a busy host
   * that fits is still better than none). The request itself is not changed.
   */
  place(index: PlacementIndex, req: VmRequest): PlacementResult {
    const busy = this.busy();
    if (busy.length > 0) {
      const spread = index.place({ ...req, avoidHosts: [...req.avoidHosts, ...busy] });
      if (spread.ok) return spread;
    }
    return index.place(req);
  }

  private expire(): void {
    const oldest = this.now() - this.maxAgeMs;
    // entries are kept in insertion order: the old ones are at the front
    for (const [id, e] of this.byOperation) {
      if (e.at > oldest) break;
      this.done(id);
    }
  }
}
