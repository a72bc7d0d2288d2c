import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_URL = 'http://127.0.0.1:3000';

/** Where the API is and how to authenticate, with where each came from (for messages). */
export interface CliConfig {
  url: string;
  token: string | undefined;
  tokenSource: 'NETPIN_TOKEN' | 'config' | 'none';
  configFile: string | undefined;
  warnings: string[];
}

/** A config file the CLI refuses to use (exit 3). */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function defaultConfigPath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(env.HOME ?? homedir(), '.config');
  return join(base, 'netpin', 'config.json');
}

interface FileConfig {
  url?: string;
  token?: string;
}

function readConfigFile(path: string, explicit: boolean): { config: FileConfig; warnings: string[] } | undefined {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (e) {
    if (!explicit && (e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
  let config: FileConfig;
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('expected a JSON object {"url": ..., "token": ...}');
    config = parsed as FileConfig;
  } catch (e) {
    throw new ConfigError(`config file ${path}: ${(e as Error).message}`);
  }
  for (const key of ['url', 'token'] as const) {
    if (config[key] !== undefined && typeof config[key] !== 'string')
      throw new ConfigError(`config file ${path}: "${key}" must be a string`);
  }
  const warnings: string[] = [];
  const perms = (mode & 0o777).toString(8).padStart(3, '0');
  if (config.token !== undefined && (mode & 0o004) !== 0) {
    // a token anyone on the machine can read is a leaked token: refuse rather than use it
    throw new ConfigError(`config file ${path} holds a token and is readable by every user (mode ${perms}); run: chmod 600 ${path}`);
  }
  if (config.token !== undefined && (mode & 0o040) !== 0)
    warnings.push(`config file ${path} holds a token and is readable by its group (mode ${perms}); consider: chmod 600 ${path}`);
  return { config, warnings };
}

/**
 * URL: --url, NETPIN_API_URL, the config file, http://127.0.0.1:3000.
 * Token: NETPIN_TOKEN, the config file. The file is ~/.config/netpin/config.json
 * ($XDG_CONFIG_HOME respected) or --config; it must not be world-readable when it holds a token.
 */
export function resolveConfig(flags: { config?: string; url?: string }, env: NodeJS.ProcessEnv): CliConfig {
  const path = flags.config ?? defaultConfigPath(env);
  const file = readConfigFile(path, flags.config !== undefined);
  const envToken = env.NETPIN_TOKEN && env.NETPIN_TOKEN.trim() !== '' ? env.NETPIN_TOKEN.trim() : undefined;
  const fileToken = file?.config.token && file.config.token.trim() !== '' ? file.config.token.trim() : undefined;
  const url =
    flags.url ?? (env.NETPIN_API_URL && env.NETPIN_API_URL !== '' ? env.NETPIN_API_URL : undefined) ?? file?.config.url ?? DEFAULT_URL;
  if (!/^https?:\/\/[^/]/.test(url)) throw new ConfigError(`API URL "${url}" is not an http(s):// URL`);
  return {
    url,
    token: envToken ?? fileToken,
    tokenSource: envToken ? 'NETPIN_TOKEN' : fileToken ? 'config' : 'none',
    configFile: file ? path : undefined,
    warnings: file?.warnings ?? [],
  };
}
