import { NetpinApiError, NetpinError, OperationFailedError, OperationTimeoutError, type Operation } from './errors';

export interface WaitOptions {
  /** Called with every change of state, progress or step, oldest first. */
  onProgress?: (operation: Operation) => void;
  /** Give up (OperationTimeoutError) after this long; default 10 minutes. */
  timeoutMs?: number;
  /** Abort the wait (rejects with the signal's reason); the operation itself goes on. */
  signal?: AbortSignal;
  /** Poll interval while no subscription is connected; default 250 ms (2 s while one is). */
  pollIntervalMs?: number;
}

export interface OperationSink {
  next(operation: Operation): void;
  error(err: unknown): void;
  connected(): void;
}

/** Where operation states come from: a one-shot read, and optionally a push stream. */
export interface WaitSources {
  poll(signal: AbortSignal): Promise<Operation>;
  subscribe?: (sink: OperationSink) => () => void;
}

const RANK: Record<Operation['state'], number> = { QUEUED: 0, RUNNING: 1, SUCCEEDED: 2, FAILED: 2 };

/** Poll and push can deliver out of order: never let a reader see an operation go backwards. */
function isNewer(op: Operation, last: Operation): boolean {
  if (RANK[op.state] !== RANK[last.state]) return RANK[op.state] > RANK[last.state];
  return op.progress >= last.progress;
}

/** Errors worth retrying while waiting: the API restarting, overloaded or briefly unreachable. */
function isTransient(e: unknown): boolean {
  return (
    e instanceof NetpinApiError &&
    (e.code === 'UNREACHABLE' || e.code === 'BAD_RESPONSE' || e.code === 'RATE_LIMITED' || (e.status ?? 0) >= 500)
  );
}

type Timer = ReturnType<typeof setTimeout>;

/** One wait: the latest state seen, the timers and the subscription, settled exactly once. */
class OperationWait {
  private readonly inflight = new AbortController();
  private last: Operation | undefined;
  private done = false;
  private pushing = false;
  private unsubscribe: (() => void) | undefined;
  private pollTimer: Timer | undefined;
  private deadline: Timer | undefined;
  private readonly fastPoll: number;
  private readonly slowPoll: number;
  private readonly onAbort = (): void => this.finish(this.opts.signal?.reason ?? new NetpinError('wait aborted', 'ABORTED'));

  constructor(
    private readonly src: WaitSources,
    private readonly id: string,
    private readonly opts: WaitOptions,
    private readonly resolve: (op: Operation) => void,
    private readonly reject: (err: unknown) => void,
  ) {
    this.fastPoll = opts.pollIntervalMs ?? 250;
    this.slowPoll = Math.max(this.fastPoll, 2_000);
  }

  start(): void {
    const { signal } = this.opts;
    if (signal?.aborted) {
      this.onAbort();
      return;
    }
    signal?.addEventListener('abort', this.onAbort, { once: true });
    const timeoutMs = this.opts.timeoutMs ?? 600_000;
    this.deadline = setTimeout(() => this.finish(new OperationTimeoutError(this.id, timeoutMs, this.last)), timeoutMs);
    this.subscribe();
    // the first read also covers an operation that finished before the subscription began
    void this.poll();
  }

  private finish(err: unknown, op?: Operation): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.deadline);
    clearTimeout(this.pollTimer);
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    this.inflight.abort();
    try {
      this.unsubscribe?.();
    } catch {
      // a socket already gone has nothing to unsubscribe
    }
    if (op) this.resolve(op);
    else this.reject(err);
  }

  private seen(op: Operation): void {
    const last = this.last;
    if (this.done || op.id !== this.id) return;
    if (last && !isNewer(op, last)) return;
    const changed = !last || last.state !== op.state || last.progress !== op.progress || last.step !== op.step;
    this.last = op;
    if (changed && this.opts.onProgress) {
      try {
        this.opts.onProgress(op);
      } catch (e) {
        this.finish(e);
        return;
      }
    }
    if (op.state === 'SUCCEEDED') this.finish(undefined, op);
    else if (op.state === 'FAILED') this.finish(new OperationFailedError(op));
  }

  private async poll(): Promise<void> {
    if (this.done) return;
    try {
      this.seen(await this.src.poll(this.inflight.signal));
    } catch (e) {
      if (this.done) return;
      if (!isTransient(e)) {
        this.finish(e);
        return;
      }
    }
    if (!this.done) this.pollTimer = setTimeout(() => void this.poll(), this.pushing ? this.slowPoll : this.fastPoll);
  }

  private subscribe(): void {
    if (!this.src.subscribe) return;
    try {
      this.unsubscribe = this.src.subscribe({
        next: (op) => {
          this.pushing = true;
          this.seen(op);
        },
        connected: () => {
          this.pushing = true;
        },
        // the subscription is an accelerator: when it breaks, polling carries on alone
        error: () => {
          this.pushing = false;
        },
      });
    } catch {
      this.pushing = false;
    }
  }
}

export function waitForOperation(src: WaitSources, id: string, opts: WaitOptions = {}): Promise<Operation> {
  return new Promise<Operation>((resolve, reject) => new OperationWait(src, id, opts, resolve, reject).start());
}
