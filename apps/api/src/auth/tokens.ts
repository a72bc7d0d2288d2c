import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Token format: np_<prefix>_<secret>. The prefix (public) finds the row; only an scrypt
 * hash of the whole token is stored, so a database dump does not yield usable tokens.
 */
const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 32;

function scrypt(data: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(data, salt, KEYLEN, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

export function newToken(): { token: string; prefix: string } {
  const prefix = randomBytes(6).toString('hex');
  const secret = randomBytes(24).toString('base64url');
  return { token: `np_${prefix}_${secret}`, prefix };
}

export function tokenPrefix(token: string): string | null {
  const m = /^np_([0-9a-f]{12})_[A-Za-z0-9_-]{32}$/.exec(token);
  return m ? m[1] : null;
}

export async function hashToken(token: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(token, salt, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyToken(token: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const key = await scrypt(token, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  const want = Buffer.from(hash, 'base64');
  return want.length === key.length && timingSafeEqual(want, key);
}

/** Constant-time comparison of two secrets of any length. */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** SHA-256 of a secret, to compare in constant time (sameDigest) against one computed once. */
export function secretDigest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function sameDigest(a: Buffer, b: Buffer): boolean {
  return timingSafeEqual(a, b);
}
