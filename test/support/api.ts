import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
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
  return {
    url,
    app,
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
    close: () => app.close(),
  };
}
