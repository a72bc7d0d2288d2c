/** A minimal GraphQL-over-HTTP client for scripts (demo fleet, benches, tests). */
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
  constructor(
    readonly url: string,
    /** Bearer token; defaults to NETPIN_TOKEN from the environment. */
    private readonly token: string | undefined = process.env.NETPIN_TOKEN,
  ) {}

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    let body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[]; code?: string; message?: string };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new GqlError(`HTTP ${res.status}: ${text.slice(0, 200)}`, `HTTP_${res.status}`, []);
    }
    if (!body.errors && !body.data) throw new GqlError(body.message ?? `HTTP ${res.status}`, body.code ?? `HTTP_${res.status}`, []);
    if (body.errors?.length) throw new GqlError(body.errors[0].message, body.errors[0].extensions?.code, body.errors);
    return body.data as T;
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
      const { queued, running } = await this.request<{ queued: unknown[]; running: unknown[] }>(
        `{ queued: operations(state: QUEUED, first: 1) { id } running: operations(state: RUNNING, first: 1) { id } }`,
      );
      if (queued.length === 0 && running.length === 0) return;
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
