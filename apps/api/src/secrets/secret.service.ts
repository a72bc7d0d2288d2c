import { Inject, Injectable } from '@nestjs/common';
import { createSshSecretInputSchema, parseInput, resourceNameSchema } from '@netpin/contracts';
import { isUuid, SshSecretRepository, type SshSecretRecord } from '@netpin/db';
import type { Principal } from '../auth/auth.decorators';
import type { SshSecret } from './secret.model';
import { checkPrivateKey } from './ssh-key';

@Injectable()
export class SecretService {
  constructor(@Inject(SshSecretRepository) private readonly secrets: SshSecretRepository) {}

  /** Metadata with what an admin needs next to it: the hosts that use it and whether rotation would touch it. */
  private async view(records: SshSecretRecord[]): Promise<SshSecret[]> {
    const users = await this.secrets.hostsUsing(records.map((r) => r.name));
    return records.map((r) => ({ ...r, current: r.keyId === this.secrets.currentKeyId, hosts: users.get(r.name) ?? [] }));
  }

  private async one(record: SshSecretRecord): Promise<SshSecret> {
    const users = await this.secrets.hostsUsing([record.name]);
    return { ...record, current: record.keyId === this.secrets.currentKeyId, hosts: users.get(record.name) ?? [] };
  }

  async create(input: { name?: unknown; privateKey?: unknown }, by: Principal | undefined): Promise<SshSecret> {
    const data = parseInput(createSshSecretInputSchema, input);
    const key = checkPrivateKey(data.privateKey);
    const record = await this.secrets.create({
      name: data.name,
      privateKey: key.privateKey,
      fingerprint: key.fingerprint,
      publicKey: key.publicKey,
      createdBy: by?.name ?? null,
    });
    return this.one(record);
  }

  async list(): Promise<SshSecret[]> {
    return this.view(await this.secrets.list());
  }

  async get(ref: { id?: string | null; name?: string | null }): Promise<SshSecret> {
    return this.one(await this.secrets.get(ref));
  }

  async getByRef(ref: string): Promise<SshSecret> {
    return this.get(isUuid(ref) ? { id: ref } : { name: parseInput(resourceNameSchema, ref, 'name') });
  }

  /** Refused while a host uses it, so the deleted secret is used by none. */
  async remove(id: string): Promise<SshSecret> {
    const r = await this.secrets.delete(id);
    return { ...r, current: r.keyId === this.secrets.currentKeyId, hosts: [] };
  }

  rotate(): Promise<{ reencrypted: number; keyId: string }> {
    return this.secrets.rotate();
  }
}
