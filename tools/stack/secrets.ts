import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The admin token of this installation: NETPIN_BOOTSTRAP_ADMIN_TOKEN when set, else one
 * generated on first start and kept (mode 600) in the state folder.
 */
export function bootstrapToken(stateDir: string, env: NodeJS.ProcessEnv): { token: string; file?: string } {
  if (env.NETPIN_BOOTSTRAP_ADMIN_TOKEN) return { token: env.NETPIN_BOOTSTRAP_ADMIN_TOKEN };
  const file = resolve(stateDir, 'admin-token');
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), file };
  mkdirSync(stateDir, { recursive: true });
  const token = `npboot_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, file };
}

/**
 * The master key that encrypts SSH secrets at rest: the operator's NETPIN_MASTER_KEY or
 * NETPIN_MASTER_KEY_FILE when set (passed on unchanged), else a key generated on first start
 * into the state folder (mode 600) and handed to the API and the agent by file name.
 */
export function masterKeyEnv(
  stateDir: string,
  env: NodeJS.ProcessEnv,
  log: (msg: string, extra: Record<string, unknown>) => void,
): { NETPIN_MASTER_KEY_FILE?: string } {
  if (env.NETPIN_MASTER_KEY || env.NETPIN_MASTER_KEY_FILE) return {};
  const file = resolve(stateDir, 'master.key');
  if (!existsSync(file)) {
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    log('generated the master key for SSH secrets', { file });
  }
  return { NETPIN_MASTER_KEY_FILE: file };
}
