import { BadUserInputError, ConflictError, FailedPreconditionError, NotFoundError } from '@netpin/contracts';
import type { Db } from '../client';
import { mapPrismaError } from '../prisma-errors';
import { isUuid } from '../repositories/host.repository';
import type { MasterKeyring } from './master-key';
import { openSecret, sealSecret, SecretOpenError } from './secret-box';

/** What anyone may see of a stored SSH secret: never the key, never the ciphertext. */
export interface SshSecretRecord {
  id: string;
  name: string;
  keyId: string;
  fingerprint: string;
  publicKey: string;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewSshSecret {
  name: string;
  /** The private key as given; zeroed after it is sealed. */
  privateKey: Buffer;
  fingerprint: string;
  publicKey: string;
  createdBy: string | null;
}

const metadata = {
  id: true,
  name: true,
  keyId: true,
  fingerprint: true,
  publicKey: true,
  createdBy: true,
  createdAt: true,
  updatedAt: true,
} as const;

export const NO_MASTER_KEY_MESSAGE = 'no master key is configured: set NETPIN_MASTER_KEY or NETPIN_MASTER_KEY_FILE to store SSH secrets';

/**
 * SSH private keys encrypted at rest (AES-256-GCM, see secret-box.ts). The API stores,
 * lists, deletes and rotates them; the agent opens one by name when a host's
 * credentialRef is "secret:<name>". Without a keyring nothing is written.
 */
export class SshSecretRepository {
  constructor(
    private readonly db: Db,
    private readonly keyring: MasterKeyring | null,
  ) {}

  /** Id of the key new secrets are sealed with, or null without a keyring. */
  get currentKeyId(): string | null {
    return this.keyring?.currentKeyId ?? null;
  }

  private ring(): MasterKeyring {
    if (!this.keyring) throw new FailedPreconditionError(NO_MASTER_KEY_MESSAGE, { missing: 'NETPIN_MASTER_KEY' });
    return this.keyring;
  }

  async create(s: NewSshSecret): Promise<SshSecretRecord> {
    const ring = this.ring();
    const sealed = sealSecret(ring, s.name, s.privateKey);
    s.privateKey.fill(0);
    try {
      return await this.db.sshSecret.create({
        data: { name: s.name, fingerprint: s.fingerprint, publicKey: s.publicKey, createdBy: s.createdBy, ...sealed },
        select: metadata,
      });
    } catch (e) {
      mapPrismaError(e, 'ssh secret', s.name);
    }
  }

  list(): Promise<SshSecretRecord[]> {
    return this.db.sshSecret.findMany({ orderBy: { name: 'asc' }, select: metadata });
  }

  async get(ref: { id?: string | null; name?: string | null }): Promise<SshSecretRecord> {
    if (!ref.id && !ref.name) throw BadUserInputError.of('id', 'give the id or the name of the SSH secret');
    const where = ref.id ? (isUuid(ref.id) ? { id: ref.id } : null) : ref.name ? { name: ref.name } : null;
    const row = where ? await this.db.sshSecret.findUnique({ where, select: metadata }) : null;
    if (!row) throw new NotFoundError('ssh secret', ref.id ?? ref.name ?? '');
    return row;
  }

  /** Names of the hosts whose credentialRef is "secret:<name>", per secret name (sorted; absent: none). */
  async hostsUsing(names: readonly string[]): Promise<Map<string, string[]>> {
    const refs = [...new Set(names)].map((n) => `secret:${n}`);
    const out = new Map<string, string[]>();
    if (refs.length === 0) return out;
    const rows = await this.db.host.findMany({
      where: { credentialRef: { in: refs } },
      select: { name: true, credentialRef: true },
      orderBy: { name: 'asc' },
    });
    for (const r of rows) {
      const name = r.credentialRef.slice('secret:'.length);
      out.set(name, [...(out.get(name) ?? []), r.name]);
    }
    return out;
  }

  /** Refused with CONFLICT while a host's credentialRef names the secret. */
  async delete(id: string): Promise<SshSecretRecord> {
    return this.db.$transaction(async (tx) => {
      const row = isUuid(id) ? await tx.sshSecret.findUnique({ where: { id }, select: metadata }) : null;
      if (!row) throw new NotFoundError('ssh secret', id);
      const ref = `secret:${row.name}`;
      const users = await tx.host.findMany({ where: { credentialRef: ref }, select: { name: true }, orderBy: { name: 'asc' }, take: 10 });
      if (users.length > 0) {
        throw new ConflictError(
          `ssh secret ${row.name} is the credential of host(s) ${users.map((h) => h.name).join(', ')}: point them elsewhere first`,
          {
            hosts: users.map((h) => h.name),
          },
        );
      }
      await tx.sshSecret.delete({ where: { id } });
      return row;
    });
  }

  /**
   * Re-encrypt every secret under the current master key (fresh IV each). Every secret must
   * open with some key of the ring, else nothing changes and the error names the secret.
   */
  async rotate(): Promise<{ reencrypted: number; keyId: string }> {
    const ring = this.ring();
    return this.db.$transaction(
      async (tx) => {
        const rows = await tx.sshSecret.findMany({ orderBy: { name: 'asc' } });
        for (const r of rows) {
          let plain: Buffer;
          try {
            plain = openSecret(ring, r.name, r);
          } catch (e) {
            if (e instanceof SecretOpenError)
              throw new FailedPreconditionError(`cannot rotate: ${e.message}`, { secret: r.name, keyId: r.keyId });
            throw e;
          }
          const sealed = sealSecret(ring, r.name, plain);
          plain.fill(0);
          await tx.sshSecret.update({ where: { id: r.id }, data: sealed });
        }
        return { reencrypted: rows.length, keyId: ring.currentKeyId };
      },
      { timeout: 120_000 },
    );
  }

  /**
   * The decrypted private key of a secret (the agent's use). NotFoundError when there is no
   * such secret, FailedPreconditionError without a keyring, SecretOpenError when no key of
   * the ring opens it.
   */
  async privateKey(name: string): Promise<Buffer> {
    const ring = this.ring();
    const row = await this.db.sshSecret.findUnique({
      where: { name },
      select: { name: true, keyId: true, iv: true, ciphertext: true, authTag: true },
    });
    if (!row) throw new NotFoundError('ssh secret', name);
    return openSecret(ring, row.name, row);
  }
}
