import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { AgentError } from './errors';

/**
 * Resolves a host's credentialRef to private key material. Payloads only ever carry the
 * reference; the keys stay on the agent's machine.
 */
export interface CredentialResolver {
  privateKey(credentialRef: string): Promise<Buffer>;
}

export class FileCredentialResolver implements CredentialResolver {
  constructor(private readonly keyDir: string) {}

  async privateKey(credentialRef: string): Promise<Buffer> {
    if (!credentialRef.startsWith('file:')) {
      throw new AgentError('CREDENTIAL_UNAVAILABLE', `credential reference scheme not supported by this agent: ${credentialRef.split(':')[0]}`);
    }
    const rel = credentialRef.slice('file:'.length);
    // The contract already refuses "..": this is the second lock on the same door.
    if (rel === '' || rel.split('/').includes('..')) throw new AgentError('CREDENTIAL_UNAVAILABLE', `invalid credential path in ${credentialRef}`);
    const path = isAbsolute(rel) ? rel : join(this.keyDir, rel);
    try {
      return await readFile(path);
    } catch (e) {
      throw new AgentError('CREDENTIAL_UNAVAILABLE', `cannot read key for ${credentialRef}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e });
    }
  }
}
