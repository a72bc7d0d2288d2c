import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseDomain } from '@netpin/libvirt-xml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, hostFixture } from './test-fixture';

/**
 * What netpin renders must survive a trip through hostsim's "libvirt": define accepts it,
 * and dumpxml (with libvirt's additions) parses back to the same domain.
 */
const GOLDEN = join(__dirname, '../../libvirt-xml/__golden__');
const cases = readdirSync(GOLDEN).filter((f) => f.endsWith('.xml'));

describe('libvirt-xml golden domains on dual-socket-sriov', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await hostFixture('dual-socket-sriov');
  });
  afterAll(async () => f.close());

  it('has golden files to try', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map((c) => [c]))('%s: define, then dumpxml parses to the same domain', async (file) => {
    const xml = readFileSync(join(GOLDEN, file), 'utf8');
    const def = await f.conn.run(['virsh', 'define', '/dev/stdin'], xml);
    expect(def.stderr).toBe('');
    expect(def.code).toBe(0);
    const name = /Domain '([^']+)' defined/.exec(def.stdout)?.[1] ?? '';
    const dumped = await f.conn.run(['virsh', 'dumpxml', name]);
    // libvirt adds a uuid when the definition has none; nothing else may change.
    const sent = parseDomain(xml);
    const back = parseDomain(dumped.stdout);
    expect(back).toEqual({ ...sent, uuid: sent.uuid ?? back.uuid });
    expect(back.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect((await f.conn.run(['virsh', 'undefine', name])).code).toBe(0);
  });
});
