import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GqlClient, setupFleet } from '@netpin/client';
import type { Db } from '@netpin/db';
// Integration tests run the real agent in-process; apps have no import alias.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createAgent, type Agent } from '../apps/agent/src/agent';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadConfig } from '../apps/agent/src/config';
import { startApi, type TestApi } from './support/api';
import { expectNoKeyMaterial } from './support/key-material';
import { startSimFleet, type SimFleet } from './support/processes';
import { retireOtherHosts, testDb } from './support/seed';

/**
 * SSH keys encrypted at rest: a hostsim host reached only through "secret:<name>" (the agent's
 * key folder is empty), key rotation across API and agent restarts, and the refusals.
 */
const KEY_A = `rot-a:${randomBytes(32).toString('hex')}`;
const KEY_B = `rot-b:${randomBytes(32).toString('base64')}`;
const SECRET = 'vault-key';

let sim: SimFleet;
let db: Db;
let api: TestApi;
let agent: Agent | null = null;
let emptyKeyDir: string;
let keyPem: string;
let hostId: string;
const responses: string[] = [];

const CREATE = `mutation ($input: CreateSshSecretInput!) { createSshSecret(input: $input) { id name fingerprint publicKey keyId createdAt } }`;

async function startAgent(env: Record<string, string>): Promise<Agent> {
  const a = createAgent(
    loadConfig(
      {
        REDIS_URL: process.env.REDIS_URL,
        NETPIN_QUEUE_PREFIX: process.env.NETPIN_QUEUE_PREFIX,
        NETPIN_AGENT_KEY_DIR: emptyKeyDir,
        LOG_LEVEL: 'silent',
        ...env,
      },
      'secret-store-agent',
    ),
  );
  await a.start();
  return a;
}

async function restartApi(env: Record<string, string>): Promise<void> {
  await api?.close();
  api = await startApi({ env });
}

async function gql<T = any>(
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ data?: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
  const r = await api.gql<T>(query, variables);
  responses.push(JSON.stringify(r));
  return r;
}

async function rest(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await api.rest(method, path, body);
  responses.push(JSON.stringify(r.body));
  return r;
}

async function discover(): Promise<{ state: string; errorCode: string | null; errorMessage: string | null }> {
  const r = await gql<{ discoverHost: { id: string } }>(`mutation ($id: ID!) { discoverHost(id: $id) { id } }`, { id: hostId });
  expect(r.errors).toBeUndefined();
  return new GqlClient(api.url).waitForOperation(r.data!.discoverHost.id);
}

beforeAll(async () => {
  db = testDb();
  emptyKeyDir = mkdtempSync(join(tmpdir(), 'netpin-no-keys-'));
  sim = await startSimFleet({ count: 1, profile: 'small-one-node', namePrefix: 'vault' });
  keyPem = readFileSync(join(sim.stateDir, 'client_ed25519'), 'utf8');
  await retireOtherHosts();
  api = await startApi({ env: { NETPIN_MASTER_KEY: KEY_A } });
  agent = await startAgent({ DATABASE_URL: process.env.DATABASE_URL!, NETPIN_MASTER_KEY: KEY_A });
}, 120_000);
afterAll(async () => {
  await agent?.close();
  await api?.close();
  await sim?.stop();
  await db?.$disconnect();
  rmSync(emptyKeyDir, { recursive: true, force: true });
});

describe('SSH secrets at rest', () => {
  it('refuses to store anything while the API has no master key', async () => {
    const bare = await startApi({ env: { NETPIN_MASTER_KEY: '' }, background: false });
    try {
      const g = await bare.gql(CREATE, { input: { name: 'never', privateKey: keyPem } });
      expect(g.errors?.[0].extensions).toMatchObject({ code: 'FAILED_PRECONDITION' });
      expect(g.errors?.[0].message).toContain('NETPIN_MASTER_KEY');
      const r = await bare.rest('POST', '/api/v1/ssh-secrets/rotate');
      expect(r).toMatchObject({ status: 409, body: { code: 'FAILED_PRECONDITION' } });
      responses.push(JSON.stringify(g), JSON.stringify(r.body));
    } finally {
      await bare.close();
    }
    expect(await db.sshSecret.count({ where: { name: 'never' } })).toBe(0);
  });

  it('validates the key and the name: encrypted, public and unreadable keys and bad names are refused', async () => {
    const encrypted = utils.generateKeyPairSync('ecdsa', { bits: 256, passphrase: 'passphrase', cipher: 'aes256-ctr' });
    const cases: [string, string][] = [
      [encrypted.private, 'encrypted'],
      [encrypted.public, 'public key'],
      ['-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----\n', 'not an SSH private key'],
    ];
    for (const [privateKey, text] of cases) {
      const g = await gql(CREATE, { input: { name: 'bad-key', privateKey } });
      expect(g.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'privateKey' });
      expect(g.errors?.[0].message).toContain(text);
    }
    const badName = await rest('POST', '/api/v1/ssh-secrets', { name: 'Bad_Name', privateKey: keyPem });
    expect(badName).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'name' } });
    // errors that quote the request (GraphQL variable coercion, JSON syntax) do not echo the key
    const extra = await gql(CREATE, { input: { name: 'bad-key', privateKey: keyPem, comment: 'x' } });
    expect(extra.errors?.[0].message).toContain('Field "comment" is not defined');
    const broken = await api.rest(
      'POST',
      '/api/v1/ssh-secrets',
      `{"name": "bad-key", "privateKey": ${JSON.stringify(keyPem).slice(0, -1)}`,
    );
    responses.push(JSON.stringify(broken.body));
    expect(broken.status).toBe(400);
    expect(await db.sshSecret.count({ where: { name: { in: ['bad-key', 'Bad_Name'] } } })).toBe(0);
  });

  it('stores a host key encrypted; discovery and provisioning reach the host through secret:<name>', async () => {
    const created = await gql<{ createSshSecret: { id: string; fingerprint: string; publicKey: string; keyId: string } }>(CREATE, {
      input: { name: SECRET, privateKey: keyPem },
    });
    expect(created.errors).toBeUndefined();
    const meta = created.data!.createSshSecret;
    // what ssh-keygen -l prints for the public half hostsim wrote next to the key
    const [type, blob] = readFileSync(join(sim.stateDir, 'client_ed25519.pub'), 'utf8').trim().split(' ');
    expect(meta.fingerprint).toBe(`SHA256:${createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '')}`);
    expect(meta.publicKey).toBe(`${type} ${blob}`);
    expect(meta.keyId).toBe('rot-a');
    const dup = await rest('POST', '/api/v1/ssh-secrets', { name: SECRET, privateKey: keyPem });
    expect(dup).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });

    // the row holds ciphertext only
    const [row] = await db.$queryRaw<{ doc: string }[]>`SELECT row_to_json(s)::text AS doc FROM "SshSecret" s WHERE name = ${SECRET}`;
    const stored = await db.sshSecret.findUniqueOrThrow({ where: { name: SECRET } });
    expect(stored.iv).toHaveLength(12);
    expect(Buffer.from(stored.ciphertext).includes(Buffer.from(keyPem.split('\n')[1]))).toBe(false);
    expectNoKeyMaterial([row.doc], keyPem);

    const entries = sim.entries.map((e) => ({ ...e, credentialRef: `secret:${SECRET}` }));
    const [host] = await setupFleet(new GqlClient(api.url), entries, { vfsPerPf: 2 });
    hostId = host.id;
    const vm = await gql<{ createVm: { vm: { id: string }; operation: { id: string } } }>(
      `mutation { createVm(input: { name: "vault-vm", vcpus: 1, memoryMiB: 512, interfaces: [{ network: "physnet0" }] }) { vm { id } operation { id } } }`,
    );
    expect(vm.errors).toBeUndefined();
    const op = await new GqlClient(api.url).waitForOperation(vm.data!.createVm.operation.id);
    expect({ state: op.state, error: op.errorMessage }).toEqual({ state: 'SUCCEEDED', error: null });
    expect(sim.fleet.hosts[0].state().domains.map((d) => d.name)).toContain('vault-vm');

    // every way to read it back shows metadata only
    await gql(
      `{ sshSecrets { id name fingerprint publicKey keyId createdBy createdAt updatedAt } sshSecret(name: "${SECRET}") { id name } }`,
    );
    await rest('GET', '/api/v1/ssh-secrets');
    await rest('GET', `/api/v1/ssh-secrets/${SECRET}`);
    await rest('GET', `/api/v1/ssh-secrets/${meta.id}`);
    const audit = await rest('GET', '/api/v1/audit?action=SshSecret&first=50');
    expect(audit.body.filter((e: { action: string }) => e.action === 'graphql:createSshSecret').length).toBeGreaterThan(0);
    expectNoKeyMaterial(responses, keyPem);
  });

  it('an agent without the master key fails host operations with CREDENTIAL_UNAVAILABLE', async () => {
    await agent!.close();
    agent = await startAgent({ DATABASE_URL: process.env.DATABASE_URL! });
    const op = await discover();
    expect(op.state).toBe('FAILED');
    expect(op.errorCode).toBe('CREDENTIAL_UNAVAILABLE');
    expect(op.errorMessage).toContain(`secret:${SECRET}`);
    expect(op.errorMessage).toContain('NETPIN_MASTER_KEY');
  });

  it('rotation re-encrypts under the new key; an agent holding only the new key still reaches the host', async () => {
    const before = await db.sshSecret.findUniqueOrThrow({ where: { name: SECRET } });
    await agent!.close();
    agent = null;
    // the suite's own key too: other files of the run may have stored secrets under it
    await restartApi({ NETPIN_MASTER_KEY: KEY_B, NETPIN_MASTER_KEY_PREVIOUS: `${KEY_A},${process.env.NETPIN_MASTER_KEY}` });
    const total = await db.sshSecret.count();
    // an admin sees which hosts use it and that it waits for re-encryption, on both transports
    const q = `{ sshSecret(name: "${SECRET}") { current hosts } }`;
    expect((await gql(q)).data?.sshSecret).toEqual({ current: false, hosts: ['vault-01'] });
    expect((await rest('GET', `/api/v1/ssh-secrets/${SECRET}`)).body).toMatchObject({ current: false, hosts: ['vault-01'] });
    const rotated = await gql<{ rotateSshSecrets: { reencrypted: number; keyId: string } }>(
      `mutation { rotateSshSecrets { reencrypted keyId } }`,
    );
    expect(rotated.data?.rotateSshSecrets).toEqual({ reencrypted: total, keyId: 'rot-b' });
    expect(await db.sshSecret.count({ where: { keyId: { not: 'rot-b' } } })).toBe(0);
    const after = await db.sshSecret.findUniqueOrThrow({ where: { name: SECRET } });
    expect(after.keyId).toBe('rot-b');
    expect(Buffer.from(after.iv).equals(Buffer.from(before.iv))).toBe(false);
    expect(Buffer.from(after.ciphertext).equals(Buffer.from(before.ciphertext))).toBe(false);

    agent = await startAgent({ DATABASE_URL: process.env.DATABASE_URL!, NETPIN_MASTER_KEY: KEY_B });
    const op = await discover();
    expect({ state: op.state, error: op.errorMessage }).toEqual({ state: 'SUCCEEDED', error: null });
    expect((await gql(q)).data?.sshSecret).toEqual({ current: true, hosts: ['vault-01'] });
    const listed = await rest('GET', '/api/v1/ssh-secrets');
    expect(listed.body.filter((s: { name: string }) => s.name === SECRET).map((s: { keyId: string }) => s.keyId)).toEqual(['rot-b']);
    expectNoKeyMaterial(responses, keyPem);
  });

  it('refuses to delete a secret a host uses (CONFLICT), deletes an unused one', async () => {
    const { id } = await db.sshSecret.findUniqueOrThrow({ where: { name: SECRET } });
    const g = await gql(`mutation ($id: ID!) { deleteSshSecret(id: $id) { id } }`, { id });
    expect(g.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', hosts: ['vault-01'] });
    const r = await rest('DELETE', `/api/v1/ssh-secrets/${id}`);
    expect(r).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
    expect(await db.sshSecret.count({ where: { id } })).toBe(1);

    const spare = await gql<{ createSshSecret: { id: string; keyId: string } }>(CREATE, { input: { name: 'spare', privateKey: keyPem } });
    expect(spare.data?.createSshSecret.keyId).toBe('rot-b');
    const del = await rest('DELETE', `/api/v1/ssh-secrets/${spare.data!.createSshSecret.id}`);
    expect(del).toMatchObject({ status: 200, body: { name: 'spare' } });
    expect(await db.sshSecret.count({ where: { name: 'spare' } })).toBe(0);
    expectNoKeyMaterial(responses, keyPem);
  });
});
