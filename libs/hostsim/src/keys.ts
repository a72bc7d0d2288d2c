import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ParsedKey, utils } from 'ssh2';

export class KeyError extends Error {
  readonly code = 'KEY_INVALID';
}

export function parseKeyOrThrow(text: string | Buffer): ParsedKey {
  const k = utils.parseKey(text);
  if (k instanceof Error) throw new KeyError(k.message);
  return k;
}

/** OpenSSH's SHA256 fingerprint: base64 of the SHA-256 of the public key blob, unpadded. */
export function fingerprintOf(key: string | Buffer): string {
  const blob = parseKeyOrThrow(key).getPublicSSH();
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/**
 * ssh2 1.17's generateKeyPairSync('ed25519') emits an unparsable key about once in 200
 * (a public key whose first byte is 0 is written as 31 bytes). Retry until both halves
 * parse, so a fleet never starts with a host or client key it cannot load.
 */
export function generateEd25519(comment: string): { private: string; public: string } {
  for (let i = 0; i < 50; i++) {
    const pair = utils.generateKeyPairSync('ed25519', { comment });
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error)) return pair;
  }
  throw new KeyError('could not generate a valid ed25519 key pair');
}

/** Load the host's ed25519 key from its state dir, creating it on first use. */
export function loadOrCreateHostKey(dir: string, rotate = false): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'ssh_host_ed25519_key');
  if (!rotate && existsSync(path)) return readFileSync(path, 'utf8');
  const pair = generateEd25519('hostsim-host');
  writeFileSync(path, pair.private, { mode: 0o600 });
  writeFileSync(`${path}.pub`, `${pair.public}\n`);
  return pair.private;
}

export interface ClientKey {
  privateKeyPath: string;
  publicKeyPath: string;
  privateKey: string;
  /** The authorized_keys line ("ssh-ed25519 AAAA... comment"). */
  publicKey: string;
}

/** A client ed25519 key pair in `stateDir` (created once) for tests and demos to log in with. */
export function ensureClientKey(stateDir: string, name = 'client_ed25519'): ClientKey {
  mkdirSync(stateDir, { recursive: true });
  const privateKeyPath = join(stateDir, name);
  const publicKeyPath = `${privateKeyPath}.pub`;
  if (!existsSync(privateKeyPath) || !existsSync(publicKeyPath)) {
    const pair = generateEd25519('hostsim-client');
    writeFileSync(privateKeyPath, pair.private, { mode: 0o600 });
    writeFileSync(publicKeyPath, `${pair.public}\n`);
  }
  return {
    privateKeyPath,
    publicKeyPath,
    privateKey: readFileSync(privateKeyPath, 'utf8'),
    publicKey: readFileSync(publicKeyPath, 'utf8').trim(),
  };
}
