import { createClient, type Client as WsClient } from 'graphql-ws';
import { authHeaders, readToken } from './auth';

/** What codegen emits in documentMode "string": the query text plus its types. */
export interface TypedDocument<TResult, TVariables> {
  toString(): string;
  readonly __apiType?: (variables: TVariables) => TResult;
}

interface GraphQLErrorJson {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; field?: string; [k: string]: unknown };
}

/**
 * A failed request, shaped for display: the server's first error message plus the
 * input field it blames (extensions.field) and its stable code.
 */
export class GraphQLRequestError extends Error {
  readonly code: string | undefined;
  readonly field: string | undefined;
  readonly status: number | undefined;

  constructor(message: string, opts: { code?: string; field?: string; status?: number } = {}) {
    super(message);
    this.name = 'GraphQLRequestError';
    this.code = opts.code;
    this.field = opts.field;
    this.status = opts.status;
  }

  static fromErrors(errors: readonly GraphQLErrorJson[], status?: number): GraphQLRequestError {
    const first = errors[0];
    const ext = first?.extensions ?? {};
    return new GraphQLRequestError(first?.message ?? 'Unknown GraphQL error', {
      code: typeof ext.code === 'string' ? ext.code : undefined,
      field: typeof ext.field === 'string' ? ext.field : undefined,
      status,
    });
  }
}

export interface SubscriptionSink<T> {
  next(value: T): void;
  error(err: Error): void;
  complete?(): void;
}

/** The UI's only way to the API; injected through context so tests can stub it. */
export interface GqlClient {
  request<TResult, TVariables>(doc: TypedDocument<TResult, TVariables>, variables: TVariables, signal?: AbortSignal): Promise<TResult>;
  subscribe<TResult, TVariables>(
    doc: TypedDocument<TResult, TVariables>,
    variables: TVariables,
    sink: SubscriptionSink<TResult>,
  ): () => void;
}

function toError(err: unknown): Error {
  if (err instanceof Error) return err;
  if (Array.isArray(err)) return GraphQLRequestError.fromErrors(err as GraphQLErrorJson[]);
  if (typeof err === 'object' && err !== null && 'reason' in err) {
    // A CloseEvent from the socket: report why the server hung up.
    const reason = String((err as { reason: unknown }).reason);
    return new Error(reason !== '' ? `Subscription closed: ${reason}` : 'Subscription connection closed');
  }
  return new Error(String(err));
}

export function createHttpClient(endpoint = '/graphql'): GqlClient {
  let ws: WsClient | null = null;
  let wsToken: string | null = null;

  function socket(): WsClient {
    const token = readToken();
    if (ws && wsToken === token) return ws;
    void ws?.dispose();
    wsToken = token;
    const url = new URL(endpoint, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    ws = createClient({
      url: url.toString(),
      lazy: true,
      retryAttempts: 5,
      connectionParams: () => authHeaders(readToken()),
    });
    return ws;
  }

  return {
    async request(doc, variables, signal) {
      let res: Response;
      try {
        res = await fetch(endpoint, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...authHeaders(readToken()) },
          body: JSON.stringify({ query: doc.toString(), variables }),
          signal,
        });
      } catch (err) {
        if (err instanceof DOMException && err.name === 'AbortError') throw err;
        throw new GraphQLRequestError(`Cannot reach the API: ${toError(err).message}`);
      }
      let body: { data?: unknown; errors?: GraphQLErrorJson[] };
      try {
        body = (await res.json()) as typeof body;
      } catch {
        throw new GraphQLRequestError(`API answered HTTP ${res.status} without a GraphQL body`, { status: res.status });
      }
      if (body.errors && body.errors.length > 0) throw GraphQLRequestError.fromErrors(body.errors, res.status);
      if (!res.ok || body.data === undefined || body.data === null) {
        throw new GraphQLRequestError(`API answered HTTP ${res.status}`, { status: res.status });
      }
      return body.data as never;
    },
    subscribe(doc, variables, sink) {
      return socket().subscribe<never>(
        { query: doc.toString(), variables: variables as Record<string, unknown> },
        {
          next: (msg) => {
            if (msg.errors && msg.errors.length > 0) sink.error(GraphQLRequestError.fromErrors(msg.errors as GraphQLErrorJson[]));
            else if (msg.data) sink.next(msg.data);
          },
          error: (err) => sink.error(toError(err)),
          complete: () => sink.complete?.(),
        },
      );
    },
  };
}
