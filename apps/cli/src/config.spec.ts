import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_URL, resolveConfig } from './config';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'netpin-cli-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function file(content: unknown, mode: number): string {
  const path = join(dir, 'config.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  chmodSync(path, mode);
  return path;
}

describe('resolveConfig', () => {
  it('defaults to the local API and no token when nothing is configured', () => {
    expect(resolveConfig({}, { HOME: dir })).toMatchObject({
      url: DEFAULT_URL,
      token: undefined,
      tokenSource: 'none',
      configFile: undefined,
    });
  });

  it('reads ~/.config/netpin/config.json (or $XDG_CONFIG_HOME) when it is private', () => {
    mkdirSync(join(dir, '.config/netpin'), { recursive: true });
    writeFileSync(join(dir, '.config/netpin/config.json'), JSON.stringify({ url: 'http://api.example:3000', token: 'file-token' }), {
      mode: 0o600,
    });
    expect(resolveConfig({}, { HOME: dir })).toMatchObject({
      url: 'http://api.example:3000',
      token: 'file-token',
      tokenSource: 'config',
      warnings: [],
    });
    expect(resolveConfig({}, { HOME: '/nonexistent', XDG_CONFIG_HOME: join(dir, '.config') }).token).toBe('file-token');
  });

  it('lets --url beat NETPIN_API_URL beat the file, and NETPIN_TOKEN beat the file', () => {
    const path = file({ url: 'http://file:1', token: 'file-token' }, 0o600);
    expect(resolveConfig({ config: path }, { NETPIN_API_URL: 'http://env:2', NETPIN_TOKEN: 'env-token' })).toMatchObject({
      url: 'http://env:2',
      token: 'env-token',
      tokenSource: 'NETPIN_TOKEN',
    });
    expect(resolveConfig({ config: path, url: 'http://flag:3' }, { NETPIN_API_URL: 'http://env:2' }).url).toBe('http://flag:3');
  });

  it('refuses a world-readable file that holds a token, warns when only the group can read it', () => {
    expect(() => resolveConfig({ config: file({ token: 't' }, 0o644) }, {})).toThrow(
      /holds a token and is readable by every user \(mode 644\); run: chmod 600/,
    );
    expect(resolveConfig({ config: file({ token: 't' }, 0o640) }, {}).warnings).toEqual([
      expect.stringContaining('readable by its group (mode 640)'),
    ]);
    // a URL alone is no secret
    expect(resolveConfig({ config: file({ url: 'http://x:1' }, 0o644) }, {}).url).toBe('http://x:1');
  });

  it('reports a missing explicit file, bad JSON and wrong types', () => {
    expect(() => resolveConfig({ config: join(dir, 'nope.json') }, {})).toThrow(ConfigError);
    expect(() => resolveConfig({ config: file('{not json', 0o600) }, {})).toThrow(/config file .*config\.json: /);
    expect(() => resolveConfig({ config: file({ token: 42 }, 0o600) }, {})).toThrow('"token" must be a string');
    expect(() => resolveConfig({ url: 'ftp://x' }, {})).toThrow('is not an http(s):// URL');
  });
});
