import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
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

/**
 * "file:<path>" references: a key under the agent's NETPIN_AGENT_KEY_DIR. The path is
 * resolved with every symlink followed and must still lie inside the key directory (itself
 * resolved), so neither an absolute path, "..", nor a link planted in the directory can make
 * the agent read (and present as a key) any other file it can read.
 */
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
    // The contract already refuses these: this is the second lock on the same door.
    if (rel === '' || isAbsolute(rel) || rel.split('/').includes('..'))
      throw new AgentError('CREDENTIAL_UNAVAILABLE', `${credentialRef}: a file: key is a path relative to NETPIN_AGENT_KEY_DIR`);
    try {
      return await readFile(await this.confined(rel, credentialRef));
    } catch (e) {
      if (e instanceof AgentError) throw e;
      throw new AgentError(
        'CREDENTIAL_UNAVAILABLE',
        `cannot read key for ${credentialRef}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
        { cause: e },
      );
    }
  }

  /** The real path of the key, refused unless it is inside the real key directory. */
  private async confined(rel: string, credentialRef: string): Promise<string> {
    const dir = await realpath(this.keyDir);
    const file = await realpath(resolve(dir, rel));
    const inside = relative(dir, file);
    if (inside === '' || inside.split(sep)[0] === '..' || isAbsolute(inside))
      throw new AgentError('CREDENTIAL_UNAVAILABLE', `${credentialRef} resolves outside NETPIN_AGENT_KEY_DIR: refused`);
    return file;
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
