import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';

/**
 * The master keyring that encrypts SSH secrets at rest: one current key (encrypts and
 * decrypts) and any number of previous keys (decrypt only, for rotation). Keys come from
 * the environment; nothing here ever puts key bytes into a message, a log line or JSON.
 */

export const MASTER_KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const FORMAT = `must be ${MASTER_KEY_BYTES} bytes as 64 hex digits or base64, optionally written "<keyId>:<key>"`;

/** The environment variables the keyring is read from (API and agent alike). */
export interface MasterKeyEnv {
  NETPIN_MASTER_KEY?: string;
  NETPIN_MASTER_KEY_FILE?: string;
  NETPIN_MASTER_KEY_PREVIOUS?: string;
}

/** A malformed key variable: `variable` names it, `message` is one line without the value. */
export class MasterKeyError extends Error {
  constructor(
    readonly variable: keyof MasterKeyEnv,
    readonly problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'MasterKeyError';
  }
}

export interface MasterKey {
  id: string;
  key: Buffer;
}

export class MasterKeyring {
  readonly #keys = new Map<string, Buffer>();
  readonly #current: Buffer;
  readonly currentKeyId: string;

  constructor(current: MasterKey, previous: MasterKey[] = []) {
    this.currentKeyId = current.id;
    this.#current = current.key;
    for (const k of [current, ...previous]) if (!this.#keys.has(k.id)) this.#keys.set(k.id, k.key);
  }

  /** Ids of every key that can decrypt, the current one first. */
  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  get current(): MasterKey {
    return { id: this.currentKeyId, key: this.#current };
  }

  /** The key with this id, or undefined when the ring does not hold it. */
  key(id: string): Buffer | undefined {
    return this.#keys.get(id);
  }

  toJSON(): { currentKeyId: string; keyIds: string[] } {
    return { currentKeyId: this.currentKeyId, keyIds: this.keyIds };
  }

  [inspect.custom](): string {
    return `MasterKeyring { current: ${this.currentKeyId}, keys: [${this.keyIds.join(', ')}] }`;
  }
}

/** A key id derived from the key when none is given: stable, short, and says nothing usable about the key. */
export function defaultKeyId(key: Buffer): string {
  return `k${createHash('sha256').update('netpin master key id\0').update(key).digest('hex').slice(0, 12)}`;
}

function decodeKey(material: string): Buffer | null {
  if (/^[0-9a-fA-F]+$/.test(material) && material.length === MASTER_KEY_BYTES * 2) return Buffer.from(material, 'hex');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(material)) return null;
  const key = Buffer.from(material, 'base64');
  return key.length === MASTER_KEY_BYTES ? key : null;
}

/** Parse one "[<keyId>:]<key>" entry; `what` says where it came from in the error. */
export function parseMasterKey(entry: string, variable: keyof MasterKeyEnv, what = ''): MasterKey {
  const text = entry.trim();
  const colon = text.indexOf(':');
  const id = colon >= 0 ? text.slice(0, colon) : null;
  const material = colon >= 0 ? text.slice(colon + 1).trim() : text;
  if (id !== null && !KEY_ID.test(id))
    throw new MasterKeyError(variable, `${what}has an invalid key id: it must be 1-64 letters, digits, "_", "." or "-"`);
  const key = decodeKey(material);
  if (!key) throw new MasterKeyError(variable, `${what}${FORMAT}`);
  return { id: id ?? defaultKeyId(key), key };
}

const blank = (s: string | undefined): string | undefined => (s === undefined || s.trim() === '' ? undefined : s);

/**
 * Read the keyring from NETPIN_MASTER_KEY or NETPIN_MASTER_KEY_FILE (exactly one) plus the
 * comma-separated NETPIN_MASTER_KEY_PREVIOUS. Returns null when no key is configured;
 * throws MasterKeyError for anything malformed. Empty variables count as unset.
 */
export function loadMasterKeyring(
  env: MasterKeyEnv,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): MasterKeyring | null {
  const inline = blank(env.NETPIN_MASTER_KEY);
  const file = blank(env.NETPIN_MASTER_KEY_FILE);
  const previous = blank(env.NETPIN_MASTER_KEY_PREVIOUS);
  if (inline && file) throw new MasterKeyError('NETPIN_MASTER_KEY', 'and NETPIN_MASTER_KEY_FILE are both set: set only one');
  let current: MasterKey | null = null;
  if (inline) current = parseMasterKey(inline, 'NETPIN_MASTER_KEY');
  if (file) {
    let text: string;
    try {
      text = readFile(file.trim());
    } catch (e) {
      throw new MasterKeyError(
        'NETPIN_MASTER_KEY_FILE',
        `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}: ${file.trim()})`,
      );
    }
    if (text.trim() === '') throw new MasterKeyError('NETPIN_MASTER_KEY_FILE', `names an empty file (${file.trim()})`);
    current = parseMasterKey(text, 'NETPIN_MASTER_KEY_FILE', 'content ');
  }
  if (!current) {
    if (previous)
      throw new MasterKeyError(
        'NETPIN_MASTER_KEY_PREVIOUS',
        'is set without a current key: set NETPIN_MASTER_KEY or NETPIN_MASTER_KEY_FILE too',
      );
    return null;
  }
  const seen = new Map<string, Buffer>([[current.id, current.key]]);
  const older: MasterKey[] = [];
  previous
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .forEach((entry, i) => {
      const k = parseMasterKey(entry, 'NETPIN_MASTER_KEY_PREVIOUS', `entry ${i + 1} `);
      const known = seen.get(k.id);
      if (known && !known.equals(k.key))
        throw new MasterKeyError('NETPIN_MASTER_KEY_PREVIOUS', `entry ${i + 1} reuses key id "${k.id}" for a different key`);
      if (known) return;
      seen.set(k.id, k.key);
      older.push(k);
    });
  return new MasterKeyring(current, older);
}
