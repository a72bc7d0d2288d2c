import { Inject, Injectable, Logger } from '@nestjs/common';
import { BadUserInputError, DomainError, parseInput, resourceNameSchema, ROLES, type Role } from '@netpin/contracts';
import { AuthRepository, type ApiTokenRecord } from '@netpin/db';
import { z } from 'zod';
import { API_CONFIG, type ApiConfig } from '../config';
import type { Principal } from './auth.decorators';
import { hashToken, newToken, sameDigest, secretDigest, tokenPrefix, verifyToken } from './tokens';

const CACHE_MS = 30_000;

/** The token of `Bearer <token>` (any case, any blank space around or between), or null. */
export function bearerToken(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const m = /^Bearer\s+(\S{1,512})$/i.exec(authorization.trim());
  return m ? m[1] : null;
}
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
  /** scrypt verifications run by this process (what a guessed token can cost) */
  verifications = 0;

  constructor(
    @Inject(API_CONFIG) config: ApiConfig,
    @Inject(AuthRepository) private readonly repo: AuthRepository,
  ) {
    const boot = config.NETPIN_BOOTSTRAP_ADMIN_TOKEN;
    this.bootDigest = boot ? secretDigest(boot) : null;
  }

  /**
   * What can be told without the database or a hash: null (no token, or not one netpin
   * issues), the principal (bootstrap token, or verified within CACHE_MS), or 'verify' (a
   * well-formed token whose prefix must be looked up and, when a row has it, hashed).
   */
  identifyCheaply(authorization: string | undefined): Principal | null | 'verify' {
    const token = bearerToken(authorization);
    if (!token) return null;
    const digest = secretDigest(token);
    if (this.bootDigest && sameDigest(digest, this.bootDigest)) return { tokenId: null, name: 'bootstrap-admin', role: 'ADMIN' };
    const hit = this.cache.get(digest.toString('hex'));
    if (hit && hit.until > Date.now()) return hit.principal;
    return tokenPrefix(token) ? 'verify' : null;
  }

  /**
   * The token's principal, or null. The row is found by the token's public prefix first, so
   * a guessed token costs an indexed lookup; scrypt runs only for a prefix that exists.
   */
  async authenticate(authorization: string | undefined): Promise<Principal | null> {
    const cheap = this.identifyCheaply(authorization);
    if (cheap !== 'verify') return cheap;
    const token = bearerToken(authorization) ?? '';
    const prefix = tokenPrefix(token);
    const row = prefix ? await this.repo.findByPrefix(prefix) : null;
    if (!row || row.revokedAt) return null;
    this.verifications++;
    if (!(await verifyToken(token, row.secretHash))) return null;
    const principal: Principal = { tokenId: row.id, name: row.name, role: row.role };
    this.cache.set(secretDigest(token).toString('hex'), { principal, until: Date.now() + CACHE_MS });
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
