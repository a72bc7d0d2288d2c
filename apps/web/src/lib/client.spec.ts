import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttpClient, GraphQLRequestError, type TypedDocument } from './client';

const doc = { toString: () => 'query Q { x }' } as TypedDocument<{ x: number }, Record<string, never>>;

function respond(status: number, body: unknown) {
  const fetchMock = vi.fn(
    async (_url: string, _init: RequestInit) =>
      new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }),
  );
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

afterEach(() => {
  vi.unstubAllGlobals();
  window.localStorage.clear();
});

describe('createHttpClient', () => {
  it('posts the query and sends the stored token as a bearer header', async () => {
    window.localStorage.setItem('netpin.apiToken', 'secret-1');
    const f = respond(200, { data: { x: 1 } });
    await expect(createHttpClient('/graphql').request(doc, {})).resolves.toEqual({ x: 1 });
    const init = f.mock.calls[0]![1];
    expect((init.headers as Record<string, string>)['Authorization']).toBe('Bearer secret-1');
    expect(JSON.parse(String(init.body))).toEqual({ query: 'query Q { x }', variables: {} });
  });

  it('sends no Authorization header without a token', async () => {
    const f = respond(200, { data: { x: 1 } });
    await createHttpClient().request(doc, {});
    expect('Authorization' in (f.mock.calls[0]![1].headers as Record<string, string>)).toBe(false);
  });

  it('surfaces errors[0].message, extensions.field and code', async () => {
    respond(200, {
      data: null,
      errors: [{ message: 'vlan out of range', extensions: { code: 'BAD_USER_INPUT', field: 'input.vlan' } }, { message: 'second' }],
    });
    const err = await createHttpClient()
      .request(doc, {})
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphQLRequestError);
    expect(err).toMatchObject({ message: 'vlan out of range', code: 'BAD_USER_INPUT', field: 'input.vlan' });
  });

  it('reports a non-GraphQL answer with its HTTP status', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('<html>bad gateway</html>', { status: 502 })),
    );
    await expect(createHttpClient().request(doc, {})).rejects.toMatchObject({
      message: 'API answered HTTP 502 without a GraphQL body',
      status: 502,
    });
  });
});
