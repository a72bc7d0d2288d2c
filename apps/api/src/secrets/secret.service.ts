import { Inject, Injectable } from '@nestjs/common';
import { createSshSecretInputSchema, parseInput, resourceNameSchema } from '@netpin/contracts';
import { isUuid, SshSecretRepository, type SshSecretRecord } from '@netpin/db';
import type { Principal } from '../auth/auth.decorators';
import { checkPrivateKey } from './ssh-key';

@Injectable()
export class SecretService {
  constructor(@Inject(SshSecretRepository) private readonly secrets: SshSecretRepository) {}

  async create(input: { name?: unknown; privateKey?: unknown }, by: Principal | undefined): Promise<SshSecretRecord> {
    const data = parseInput(createSshSecretInputSchema, input);
    const key = checkPrivateKey(data.privateKey);
    return this.secrets.create({
      name: data.name,
      privateKey: key.privateKey,
      fingerprint: key.fingerprint,
      publicKey: key.publicKey,
      createdBy: by?.name ?? null,
    });
  }

  list(): Promise<SshSecretRecord[]> {
    return this.secrets.list();
  }

  get(ref: { id?: string | null; name?: string | null }): Promise<SshSecretRecord> {
    return this.secrets.get(ref);
  }

  getByRef(ref: string): Promise<SshSecretRecord> {
    return this.secrets.get(isUuid(ref) ? { id: ref } : { name: parseInput(resourceNameSchema, ref, 'name') });
  }

  remove(id: string): Promise<SshSecretRecord> {
    return this.secrets.delete(id);
  }

  rotate(): Promise<{ reencrypted: number; keyId: string }> {
    return this.secrets.rotate();
  }
}
