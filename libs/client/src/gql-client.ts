import { NetpinApiError } from './errors';
import { NetpinClient } from './netpin-client';

/**
 * The untyped request API of scripts (demo fleet, benches, tests), kept for the many
 * raw-query call sites; transport and error mapping are NetpinClient's. New code should use
 * NetpinClient (or `typed` here) and the generated documents.
 */
export class GqlError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly errors: unknown[],
  ) {
    super(message);
  }
}

export class GqlClient {
  /** The typed client on the same URL and token. */
  readonly typed: NetpinClient;

  constructor(
    readonly url: string,
    /** Bearer token; defaults to NETPIN_TOKEN from the environment. */
    token: string | undefined = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.NETPIN_TOKEN,
  ) {
    this.typed = new NetpinClient({ url, token });
  }

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    try {
      return await this.typed.request<T, Record<string, unknown>>(query, variables);
    } catch (e) {
      throw e instanceof NetpinApiError ? new GqlError(e.message, e.code, [...e.errors]) : e;
    }
  }

  /** Poll an operation until it (and, with `children`, every operation it spawned) finished. */
  async waitForOperation(id: string, timeoutMs = 60_000): Promise<OperationState> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const { operation } = await this.request<{ operation: OperationState }>(
        `query ($id: ID!) { operation(id: $id) { id kind state progress step errorCode errorMessage errorStderr } }`,
        { id },
      );
      if (operation.state === 'SUCCEEDED' || operation.state === 'FAILED') return operation;
      if (Date.now() > until) throw new Error(`operation ${id} (${operation.kind}) still ${operation.state} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Wait until no operation is queued or running. */
  async waitIdle(timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const { queued, running } = await this.request<{ queued: { totalCount: number }; running: { totalCount: number } }>(
        `{ queued: operations(state: QUEUED, first: 1) { totalCount } running: operations(state: RUNNING, first: 1) { totalCount } }`,
      );
      if (queued.totalCount === 0 && running.totalCount === 0) return;
      if (Date.now() > until) throw new Error(`operations still pending after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export interface OperationState {
  id: string;
  kind: string;
  state: string;
  progress: number;
  step: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  errorStderr: string | null;
}
