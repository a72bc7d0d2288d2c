import { NotFoundError } from '@netpin/contracts';
import { MasterKeyring, openSecret, sealSecret, type SealedSecret } from '@netpin/db';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentCredentials, credentialsFor, FileCredentialResolver, SecretCredentialResolver, type SecretSource } from './credentials';
import { AgentError } from './errors';

const KEY = Buffer.from('-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n');

/** The repository's lookup over an in-memory table, with the real crypto. */
function store(ring: MasterKeyring, rows: Record<string, SealedSecret>): SecretSource {
  return {
    async privateKey(name) {
      const row = rows[name];
      if (!row) throw new NotFoundError('ssh secret', name);
      return openSecret(ring, name, row);
    },
  };
}

async function failure(p: Promise<unknown>): Promise<AgentError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AgentError);
  return e as AgentError;
}

describe('secret: credential references', () => {
  const ring = new MasterKeyring({ id: 'k1', key: randomBytes(32) });
  const rows = { rack: sealSecret(ring, 'rack', KEY) };

  it('opens the named secret in memory', async () => {
    const r = new SecretCredentialResolver(store(ring, rows));
    expect((await r.privateKey('secret:rack')).equals(KEY)).toBe(true);
  });

  it('answers CREDENTIAL_UNAVAILABLE for a missing secret, a key it lacks, and a store it cannot reach', async () => {
    expect((await failure(new SecretCredentialResolver(store(ring, rows)).privateKey('secret:other'))).message).toContain(
      'no SSH secret named other',
    );
    const otherRing = new MasterKeyring({ id: 'k2', key: randomBytes(32) });
    const e = await failure(new SecretCredentialResolver(store(otherRing, rows)).privateKey('secret:rack'));
    expect(e.code).toBe('CREDENTIAL_UNAVAILABLE');
    expect(e.message).toContain('master key "k1"');
    const down: SecretSource = { privateKey: () => Promise.reject(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })) };
    expect((await failure(new SecretCredentialResolver(down).privateKey('secret:rack'))).message).toContain('ECONNREFUSED');
  });

  it('says what the agent lacks when it has no store', async () => {
    const noKey = credentialsFor({ keyDir: '/nonexistent', databaseUrl: 'postgresql://x/y', masterKeyring: null });
    const e = await failure(noKey.privateKey('secret:rack'));
    expect(e.code).toBe('CREDENTIAL_UNAVAILABLE');
    expect(e.message).toContain('NETPIN_MASTER_KEY');
    expect(e.message).not.toContain('DATABASE_URL');
    const noDb = credentialsFor({ keyDir: '/nonexistent', databaseUrl: null, masterKeyring: ring });
    expect((await failure(noDb.privateKey('secret:rack'))).message).toMatch(/lacks DATABASE_URL$/);
    const neither = credentialsFor({ keyDir: '/nonexistent' });
    expect((await failure(neither.privateKey('secret:rack'))).message).toContain('DATABASE_URL and a master key');
  });

  it('routes file: references to the key directory as before', async () => {
    const c = new AgentCredentials(new FileCredentialResolver('/nonexistent'), new SecretCredentialResolver(store(ring, rows)));
    expect((await failure(c.privateKey('file:id_ed25519'))).message).toContain('ENOENT');
    expect((await c.privateKey('secret:rack')).equals(KEY)).toBe(true);
  });
});

describe('file: credential references stay inside NETPIN_AGENT_KEY_DIR', () => {
  const root = mkdtempSync(join(tmpdir(), 'netpin-keys-'));
  const keyDir = join(root, 'keys');
  const outside = join(root, 'host-secret');
  mkdirSync(join(keyDir, 'rack1'), { recursive: true });
  writeFileSync(join(keyDir, 'rack1', 'id_ed25519'), KEY, { mode: 0o600 });
  writeFileSync(outside, 'not a key the agent may hand out');
  // a link planted in the key directory, and a link that stays inside it
  symlinkSync(outside, join(keyDir, 'escape'));
  symlinkSync(root, join(keyDir, 'up'));
  symlinkSync(join(keyDir, 'rack1', 'id_ed25519'), join(keyDir, 'current'));
  // the key directory itself reached through a symlink, as /etc/netpin/keys -> /srv/keys
  symlinkSync(keyDir, join(root, 'keys-link'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads a key under the directory, directly, through a link inside it, and through a linked directory', async () => {
    expect((await new FileCredentialResolver(keyDir).privateKey('file:rack1/id_ed25519')).equals(KEY)).toBe(true);
    expect((await new FileCredentialResolver(keyDir).privateKey('file:current')).equals(KEY)).toBe(true);
    expect((await new FileCredentialResolver(join(root, 'keys-link')).privateKey('file:rack1/id_ed25519')).equals(KEY)).toBe(true);
  });

  it.each([
    ['an absolute path', `file:${outside}`],
    ['a symlink out of the directory', 'file:escape'],
    ['a path through a symlink out of the directory', 'file:up/host-secret'],
    ['..', 'file:rack1/../../host-secret'],
    ['the directory itself', 'file:.'],
  ])('refuses %s with CREDENTIAL_UNAVAILABLE', async (_what, ref) => {
    const e = await failure(new FileCredentialResolver(keyDir).privateKey(ref));
    expect(e.code).toBe('CREDENTIAL_UNAVAILABLE');
    // refused for where it points, not because it could not be read
    expect(e.message).toMatch(/outside NETPIN_AGENT_KEY_DIR|relative to NETPIN_AGENT_KEY_DIR/);
  });
});
