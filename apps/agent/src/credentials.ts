import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { NotFoundError, secretNameOf } from '@netpin/contracts';
import { createDb, SecretOpenError, SshSecretRepository, type MasterKeyring } from '@netpin/db';
import { AgentError } from './errors';

/**
 * Resolves a host's credentialRef to private key material. Payloads only ever carry the
 * reference; keys stay on the agent's machine ("file:") or encrypted in the database
 * ("secret:", opened in memory with the master key).
 */
export interface CredentialResolver {
  privateKey(credentialRef: string): Promise<Buffer>;
  /** Releases what the resolver holds (the database pool of the secret store). */
  close?(): Promise<void>;
}

export class FileCredentialResolver implements CredentialResolver {
  constructor(private readonly keyDir: string) {}

  async privateKey(credentialRef: string): Promise<Buffer> {
    if (!credentialRef.startsWith('file:')) {
      throw new AgentError(
        'CREDENTIAL_UNAVAILABLE',
        `credential reference scheme not supported by this agent: ${credentialRef.split(':')[0]}`,
      );
    }
    const rel = credentialRef.slice('file:'.length);
    // The contract already refuses "..": this is the second lock on the same door.
    if (rel === '' || rel.split('/').includes('..'))
      throw new AgentError('CREDENTIAL_UNAVAILABLE', `invalid credential path in ${credentialRef}`);
    const path = isAbsolute(rel) ? rel : join(this.keyDir, rel);
    try {
      return await readFile(path);
    } catch (e) {
      throw new AgentError(
        'CREDENTIAL_UNAVAILABLE',
        `cannot read key for ${credentialRef}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
        { cause: e },
      );
    }
  }
}

/** Where decrypted SSH secrets come from (SshSecretRepository in production). */
export interface SecretSource {
  privateKey(name: string): Promise<Buffer>;
}

/**
 * "secret:<name>" references: the SshSecret row, decrypted in memory. Without a source it
 * answers CREDENTIAL_UNAVAILABLE naming what this agent lacks.
 */
export class SecretCredentialResolver implements CredentialResolver {
  constructor(
    private readonly source: SecretSource | null,
    private readonly missing: string[] = [],
  ) {}

  async privateKey(credentialRef: string): Promise<Buffer> {
    const name = secretNameOf(credentialRef);
    if (name === null) throw new AgentError('CREDENTIAL_UNAVAILABLE', `not a secret reference: ${credentialRef.split(':')[0]}`);
    if (!this.source) {
      throw new AgentError(
        'CREDENTIAL_UNAVAILABLE',
        `${credentialRef} needs the SSH secret store, and this agent lacks ${this.missing.join(' and ')}`,
      );
    }
    try {
      return await this.source.privateKey(name);
    } catch (e) {
      if (e instanceof NotFoundError)
        throw new AgentError('CREDENTIAL_UNAVAILABLE', `${credentialRef}: no SSH secret named ${name}`, { cause: e });
      if (e instanceof SecretOpenError) throw new AgentError('CREDENTIAL_UNAVAILABLE', `${credentialRef}: ${e.message}`, { cause: e });
      const code = (e as { code?: unknown }).code;
      throw new AgentError(
        'CREDENTIAL_UNAVAILABLE',
        `${credentialRef}: cannot read the SSH secret store (${typeof code === 'string' ? code : 'database error'})`,
        { cause: e },
      );
    }
  }
}

/** "file:" and "secret:" references, each to its resolver. */
export class AgentCredentials implements CredentialResolver {
  constructor(
    private readonly files: CredentialResolver,
    private readonly secrets: CredentialResolver,
    private readonly onClose: () => Promise<void> = async () => undefined,
  ) {}

  privateKey(credentialRef: string): Promise<Buffer> {
    return (credentialRef.startsWith('secret:') ? this.secrets : this.files).privateKey(credentialRef);
  }

  close(): Promise<void> {
    return this.onClose();
  }
}

/** The resolver an agent builds from its configuration; the database is used only for secret: references. */
export function credentialsFor(config: {
  keyDir: string;
  databaseUrl?: string | null;
  masterKeyring?: MasterKeyring | null;
}): AgentCredentials {
  const files = new FileCredentialResolver(config.keyDir);
  const missing = [
    ...(config.databaseUrl ? [] : ['DATABASE_URL']),
    ...(config.masterKeyring ? [] : ['a master key (NETPIN_MASTER_KEY or NETPIN_MASTER_KEY_FILE)']),
  ];
  if (!config.databaseUrl || !config.masterKeyring) return new AgentCredentials(files, new SecretCredentialResolver(null, missing));
  const db = createDb(config.databaseUrl);
  return new AgentCredentials(files, new SecretCredentialResolver(new SshSecretRepository(db, config.masterKeyring)), () =>
    db.$disconnect(),
  );
}
