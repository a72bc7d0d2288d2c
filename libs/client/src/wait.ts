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

export function waitForOperation(src: WaitSources, id: string, opts: WaitOptions = {}): Promise<Operation> {
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const fastPoll = opts.pollIntervalMs ?? 250;
  const slowPoll = Math.max(fastPoll, 2_000);
  return new Promise<Operation>((resolve, reject) => {
    const inflight = new AbortController();
    let last: Operation | undefined;
    let done = false;
    let pushing = false;
    let unsubscribe: (() => void) | undefined;
    const timers: { poll?: ReturnType<typeof setTimeout>; deadline?: ReturnType<typeof setTimeout> } = {};

    const finish = (err: unknown, op?: Operation): void => {
      if (done) return;
      done = true;
      clearTimeout(timers.deadline);
      clearTimeout(timers.poll);
      opts.signal?.removeEventListener('abort', onAbort);
      inflight.abort();
      try {
        unsubscribe?.();
      } catch {
        // a socket already gone has nothing to unsubscribe
      }
      if (op) resolve(op);
      else reject(err);
    };
    const seen = (op: Operation): void => {
      if (done || op.id !== id) return;
      if (last && !isNewer(op, last)) return;
      const changed = !last || last.state !== op.state || last.progress !== op.progress || last.step !== op.step;
      last = op;
      if (changed && opts.onProgress) {
        try {
          opts.onProgress(op);
        } catch (e) {
          finish(e);
          return;
        }
      }
      if (op.state === 'SUCCEEDED') finish(undefined, op);
      else if (op.state === 'FAILED') finish(new OperationFailedError(op));
    };
    function onAbort(): void {
      finish(opts.signal?.reason ?? new NetpinError('wait aborted', 'ABORTED'));
    }

    if (opts.signal?.aborted) {
      onAbort();
      return;
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    timers.deadline = setTimeout(() => finish(new OperationTimeoutError(id, timeoutMs, last)), timeoutMs);

    const poll = async (): Promise<void> => {
      if (done) return;
      try {
        seen(await src.poll(inflight.signal));
      } catch (e) {
        if (done) return;
        if (!isTransient(e)) {
          finish(e);
          return;
        }
      }
      if (!done) timers.poll = setTimeout(() => void poll(), pushing ? slowPoll : fastPoll);
    };

    if (src.subscribe) {
      try {
        unsubscribe = src.subscribe({
          next: (op) => {
            pushing = true;
            seen(op);
          },
          connected: () => {
            pushing = true;
          },
          // the subscription is an accelerator: when it breaks, polling carries on alone
          error: () => {
            pushing = false;
          },
        });
      } catch {
        pushing = false;
      }
    }
    // the first read also covers an operation that finished before the subscription began
    void poll();
  });
}
