import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
// Integration tests boot the real API application in-process; apps have no import alias.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { buildApp } from '../../apps/api/src/bootstrap';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadApiConfig } from '../../apps/api/src/config';

export interface GqlResult<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; field?: string; [k: string]: unknown } }[];
}

export interface TestApi {
  url: string;
  app: INestApplication;
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GqlResult<T>>;
  /** The same request over GraphQL over WebSocket (graphql-ws), one connection per token, kept open. */
  gqlWs<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GqlResult<T>>;
  rest(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** Boot the real API in-process on an ephemeral port against the run's database and Redis. */
export async function startApi(
  opts: { onQuery?: (sql: string) => void; env?: Record<string, string>; background?: boolean } = {},
): Promise<TestApi> {
  const config = loadApiConfig({ ...process.env, LOG_LEVEL: 'silent', PORT: '0', ...opts.env });
  const { app } = await buildApp({
    config,
    schemaFile: false,
    background: opts.background,
    db: opts.onQuery ? { onQuery: opts.onQuery } : undefined,
  });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const sockets = new Map<string, Client>();
  const socketFor = (token: string | null | undefined): Client => {
    const key = token ?? '';
    let client = sockets.get(key);
    if (!client) {
      client = wsClient(url, token);
      sockets.set(key, client);
    }
    return client;
  };
  return {
    url,
    app,
    gqlWs: (query, variables, token = process.env.NETPIN_TOKEN) => wsRequest(socketFor(token), query, variables),
    async gql(query, variables, token = process.env.NETPIN_TOKEN) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GqlResult<never>;
    },
    async rest(method, path, body, headers = {}) {
      const auth: Record<string, string> =
        process.env.NETPIN_TOKEN && !('authorization' in headers) ? { authorization: `Bearer ${process.env.NETPIN_TOKEN}` } : {};
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...auth, ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed };
    },
    async close() {
      await Promise.all([...sockets.values()].map((c) => c.dispose()));
      await app.close();
    },
  };
}

/** A graphql-ws client that does not reconnect (a closed socket is the answer under test). */
export function wsClient(url: string, token?: string | null): Client {
  return createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
}

/**
 * One query or mutation over graphql-ws: the `next` result, or the `error` message's errors
 * as a result's errors. A socket the server closed rejects with its close code and reason.
 */
export function wsRequest<T>(client: Client, query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>> {
  return new Promise((resolve, reject) => {
    let result: GqlResult<T> = {};
    client.subscribe<T>(
      { query, variables },
      {
        next: (r) => (result = r as GqlResult<T>),
        error: (e) => {
          if (Array.isArray(e)) resolve({ errors: e as GqlResult['errors'] });
          else {
            const c = e as { code?: number; reason?: string };
            reject(Object.assign(new Error(`socket closed: ${c.code} ${c.reason ?? ''}`), { closeCode: c.code }));
          }
        },
        complete: () => resolve(result),
      },
    );
  });
}
