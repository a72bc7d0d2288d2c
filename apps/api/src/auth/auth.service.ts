import { Inject, Injectable, Logger } from '@nestjs/common';
import { BadUserInputError, DomainError, parseInput, resourceNameSchema, ROLES, type Role } from '@netpin/contracts';
import { AuthRepository, type ApiTokenRecord } from '@netpin/db';
import { z } from 'zod';
import { API_CONFIG, type ApiConfig } from '../config';
import type { Principal } from './auth.decorators';
import { hashToken, newToken, sameDigest, secretDigest, tokenPrefix, verifyToken } from './tokens';

const CACHE_MS = 30_000;
const createSchema = z.object({ name: resourceNameSchema, role: z.enum(ROLES) });

export class UnauthenticatedError extends DomainError {
  constructor(message = 'a valid API token is required (Authorization: Bearer <token>)') {
    super('UNAUTHENTICATED', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(need: Role, have: Role) {
    super('FORBIDDEN', `this needs the ${need.toLowerCase()} role; the token has ${have.toLowerCase()}`, { need, have });
  }
}

/**
 * Who is calling. Verified tokens are cached for a short time because scrypt is slow on
 * purpose; a revocation takes effect within CACHE_MS in every API process.
 */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  private readonly cache = new Map<string, { principal: Principal; until: number }>();
  /** The bootstrap token's digest, computed once: each request hashes its token once, for both uses. */
  private readonly bootDigest: Buffer | null;

  constructor(
    @Inject(API_CONFIG) config: ApiConfig,
    @Inject(AuthRepository) private readonly repo: AuthRepository,
  ) {
    const boot = config.NETPIN_BOOTSTRAP_ADMIN_TOKEN;
    this.bootDigest = boot ? secretDigest(boot) : null;
  }

  async authenticate(authorization: string | undefined): Promise<Principal | null> {
    if (!authorization) return null;
    const m = /^Bearer\s+(\S{1,512})$/i.exec(authorization.trim());
    if (!m) return null;
    const token = m[1];
    const digest = secretDigest(token);
    if (this.bootDigest && sameDigest(digest, this.bootDigest)) return { tokenId: null, name: 'bootstrap-admin', role: 'ADMIN' };
    const key = digest.toString('hex');
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.principal;
    const prefix = tokenPrefix(token);
    if (!prefix) return null;
    const row = await this.repo.findByPrefix(prefix);
    if (!row || row.revokedAt || !(await verifyToken(token, row.secretHash))) return null;
    const principal: Principal = { tokenId: row.id, name: row.name, role: row.role };
    this.cache.set(key, { principal, until: Date.now() + CACHE_MS });
    if (this.cache.size > 10_000) this.cache.clear();
    this.repo.touch(row.id).catch((e: unknown) => this.logger.warn({ err: e }, 'could not record token use'));
    return principal;
  }

  async create(input: { name?: string; role?: string }, by: Principal | undefined): Promise<{ token: string; apiToken: ApiTokenRecord }> {
    const data = parseInput(createSchema, input);
    const { token, prefix } = newToken();
    const apiToken = await this.repo.createToken({
      name: data.name,
      role: data.role,
      prefix,
      secretHash: await hashToken(token),
      createdBy: by?.name ?? null,
    });
    return { token, apiToken };
  }

  list(): Promise<ApiTokenRecord[]> {
    return this.repo.listTokens();
  }

  async revoke(id: string): Promise<ApiTokenRecord> {
    if (!id) throw BadUserInputError.of('id', 'give the token id');
    const t = await this.repo.revokeToken(id);
    this.cache.clear();
    return t;
  }
}
