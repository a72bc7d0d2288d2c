import { performance } from 'node:perf_hooks';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** Wall-clock milliseconds with sub-millisecond resolution (comparable with server timestamps). */
export const now = (): number => performance.timeOrigin + performance.now();

/**
 * Terminal operation states, and who waits for them. Preferred source: one GraphQL
 * operationUpdated subscription for every operation. If the subscription fails, one REST
 * SSE stream (/api/v1/operations/:id/events) per operation in flight instead.
 */
export class Watcher {
  readonly done = new Map<string, { at: number; state: string; error: string | null }>();
  private readonly waiters = new Map<string, () => void>();
  events = 0;
  source: 'graphql-ws' | 'sse' = 'graphql-ws';
  private closing = false;
  subscriptionError: string | null = null;
  private readonly sse = new Map<string, AbortController>();
  private ws: Client;
  private unsubscribe: () => void = () => undefined;

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly log: (msg: string) => void,
  ) {
    this.ws = createClient({
      url: url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => undefined,
      connectionParams: { authorization: `Bearer ${token}` },
    });
  }

  start(): void {
    this.unsubscribe = this.ws.subscribe<{ operationUpdated: { id: string; state: string; errorCode: string | null } }>(
      { query: 'subscription { operationUpdated { id state errorCode } }' },
      {
        next: (m) => {
          const op = m.data?.operationUpdated;
          this.events++;
          if (!op || (op.state !== 'SUCCEEDED' && op.state !== 'FAILED')) return;
          this.settle(op.id, now(), op.state, op.errorCode);
        },
        error: (e) => {
          const reason =
            e instanceof Error
              ? e.message
              : typeof e === 'object' && e && 'reason' in e
                ? `${String((e as { code?: unknown }).code)} ${String(e.reason)}`
                : String(e);
          this.subscriptionError = reason;
          if (this.source === 'graphql-ws')
            this.log(`operationUpdated subscription failed (${reason}); falling back to REST SSE per operation`);
          this.source = 'sse';
        },
        complete: () => undefined,
      },
    );
  }

  settle(id: string, at: number, state: string, error: string | null): void {
    if (this.done.has(id)) return;
    this.done.set(id, { at, state, error });
    this.sse.get(id)?.abort();
    this.sse.delete(id);
    this.waiters.get(id)?.();
    this.waiters.delete(id);
  }

  wait(id: string, timeoutMs: number): Promise<void> {
    if (this.done.has(id)) return Promise.resolve();
    if (this.source === 'sse') this.follow(id);
    return new Promise<void>((ok) => {
      const t = setTimeout(() => {
        this.waiters.delete(id);
        this.sse.get(id)?.abort();
        ok();
      }, timeoutMs);
      this.waiters.set(id, () => {
        clearTimeout(t);
        ok();
      });
    });
  }

  /** Read one operation's SSE stream until it reports a terminal state. */
  private follow(id: string): void {
    const abort = new AbortController();
    this.sse.set(id, abort);
    void (async () => {
      const res = await fetch(`${this.url}/api/v1/operations/${id}/events`, {
        signal: abort.signal,
        headers: { accept: 'text/event-stream', authorization: `Bearer ${this.token}` },
      });
      if (!res.ok || !res.body) throw new Error(`SSE ${res.status}`);
      const decoder = new TextDecoder();
      let buf = '';
      for await (const chunk of res.body) {
        buf += decoder.decode(chunk as Uint8Array, { stream: true });
        let cut;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trim())
            .join('\n');
          if (!data) continue;
          this.events++;
          const op = JSON.parse(data) as { id: string; state: string; errorCode: string | null };
          if (op.state === 'SUCCEEDED' || op.state === 'FAILED') {
            this.settle(op.id, now(), op.state, op.errorCode);
            return;
          }
        }
      }
    })().catch((e: unknown) => {
      if (!abort.signal.aborted && !this.closing) this.log(`SSE for ${id} failed: ${String(e)}`);
    });
  }

  pending(): string[] {
    return [...this.waiters.keys()];
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const a of this.sse.values()) a.abort();
    this.unsubscribe();
    await this.ws.dispose();
  }
}
