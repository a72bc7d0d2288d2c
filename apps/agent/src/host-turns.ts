/**
 * The order in which this agent process runs the mutating jobs of one host. A job whose
 * host is busy with another job of this process waits here for its turn, which the job
 * before hands over the moment it ends, instead of going back to BullMQ's delayed set and
 * coming back every NETPIN_AGENT_LOCK_RETRY_MS to look again (under a burst on one host,
 * that polling was a third of the agent's CPU and up to a retry interval per hand-over).
 * At most `maxWaiting` jobs wait per host, so a burst on one host does not take every
 * worker slot from the other hosts; a job beyond that is delayed as before. Each job still
 * takes the Redis host lock (other agent processes): this only orders one process's jobs.
 */
export class HostTurns {
  private readonly hosts = new Map<string, { tail: Promise<void>; queued: number }>();

  constructor(private readonly maxWaiting: number) {}

  /**
   * Waits for this process's previous job on the host to end; then the returned function
   * ends this job's turn (call it once the host lock is released). Null at once when
   * `maxWaiting` jobs already wait for the host.
   */
  async take(hostId: string): Promise<(() => void) | null> {
    let h = this.hosts.get(hostId);
    if (!h) this.hosts.set(hostId, (h = { tail: Promise.resolve(), queued: 0 }));
    // queued counts the job whose turn it is and those waiting behind it
    if (h.queued > this.maxWaiting) return null;
    const host = h;
    host.queued++;
    const before = host.tail;
    let end!: () => void;
    host.tail = new Promise<void>((resolve) => (end = resolve));
    await before;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--host.queued === 0) this.hosts.delete(hostId);
      end();
    };
  }

  /** Jobs holding or waiting for a turn on the host (tests, metrics). */
  queued(hostId: string): number {
    return this.hosts.get(hostId)?.queued ?? 0;
  }
}
