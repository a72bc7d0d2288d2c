import { existsSync, readFileSync } from 'node:fs';
import { domainXmlContainment, parseDomain } from '@netpin/libvirt-xml';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyDomainXml as domainXmlDiff } from '@netpin/libvirt-xml';
import { defineAndRead, goldenFor, goldenNames, libvirtVersion, pairDir, withoutGeneratedIds } from './goldens';
import { startRealHost, type RealHost } from './realhost';
import { STANDARD_HOST } from './standard-host';
import { describeRealHost } from './tier';

/**
 * Every golden defined in real libvirt's QEMU driver, read back, and compared the way the
 * agent's verify step compares: it must be in sync. The stored pair
 * (__golden__/libvirt-<version>[-tcg]/, by virt type) must still mean what libvirt answers today.
 */
describeRealHost('goldens in real libvirt', () => {
  let host: RealHost;
  let version = '';

  beforeAll(async () => {
    host = await startRealHost({ ...STANDARD_HOST, name: `gold-${process.pid % 1000}`, index: 240, stateDir: '/tmp/netpin-realhost' });
    version = await libvirtVersion(host);
  });
  afterAll(async () => host?.stop());

  for (const name of goldenNames()) {
    it(`${name} verifies in sync after define`, async () => {
      const want = goldenFor(name, host.virtType);
      const stored = await defineAndRead(host, want);
      expect(domainXmlDiff(want, stored)).toEqual([]);
      const kept = `${pairDir(version, host.virtType)}/${name}.xml`;
      if (existsSync(kept)) {
        const pair = readFileSync(kept, 'utf8');
        // Same meaning both ways, but for what libvirt generates anew at every define.
        const noUuid = withoutGeneratedIds;
        expect(domainXmlContainment(noUuid(pair), noUuid(stored))).toBeNull();
        expect(domainXmlContainment(noUuid(stored), noUuid(pair))).toBeNull();
        expect(parseDomain(stored)).toEqual({ ...parseDomain(pair), uuid: parseDomain(stored).uuid });
      }
    });
  }
});
