import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliUsageError, describeFleet, formatFleet, parseCli } from './cli';
import { startFleet } from './fleet';
import { connect } from './test-client';

describe('parseCli', () => {
  it('parses a fleet command', () => {
    const c = parseCli(['fleet', '--hosts', '3', '--profile', 'small-one-node,legacy-no-iommu', '--base-port', '2300', '--json']);
    expect(c).toEqual({
      kind: 'fleet',
      json: true,
      options: {
        count: 3,
        profiles: ['small-one-node', 'legacy-no-iommu'],
        stateDir: '.hostsim',
        basePort: 2300,
        bindAddress: '127.0.0.1',
        irqbalanceIntervalMs: undefined,
      },
    });
  });

  it('rejects bad input with a usage error', () => {
    expect(() => parseCli(['fleet', '--hosts', '0'])).toThrow(CliUsageError);
    expect(() => parseCli(['fleet', '--profile', 'big-iron'])).toThrow(/unknown profile "big-iron"/);
    expect(() => parseCli(['fleet', '--base-port', '65535', '--hosts', '2'])).toThrow(/exceeds 65535/);
    expect(() => parseCli(['fleet', '--nope'])).toThrow(CliUsageError);
    expect(() => parseCli(['serve'])).toThrow(/unknown command/);
  });
});

describe('startFleet', () => {
  it('starts distinct hosts that accept the fleet client key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostsim-fleet-'));
    const fleet = await startFleet({ count: 3, profiles: ['dual-socket-sriov', 'small-one-node'], stateDir: dir });
    try {
      const entries = describeFleet(fleet, ['dual-socket-sriov', 'small-one-node']);
      expect(entries.map((e) => e.hostname)).toEqual(['hv-01', 'hv-02', 'hv-03']);
      expect(entries.map((e) => e.profile)).toEqual(['dual-socket-sriov', 'small-one-node', 'dual-socket-sriov']);
      expect(new Set(entries.map((e) => e.port)).size).toBe(3);
      expect(new Set(entries.map((e) => e.hostKeyFingerprint)).size).toBe(3);
      expect(JSON.parse(formatFleet(entries, true))).toEqual(entries);
      const macs: string[] = [];
      for (const e of entries) {
        const c = await connect({ host: e.address, port: e.port, username: e.user, privateKey: fleet.clientKey.privateKey });
        expect(c.hostKeyFingerprintSeen).toBe(e.hostKeyFingerprint);
        expect((await c.run(['hostname'])).stdout).toBe(`${e.hostname}\n`);
        macs.push((await c.run(['cat', `/sys/class/net/${e.profile === 'small-one-node' ? 'enp1s0' : 'ens1f0'}/address`])).stdout);
        c.end();
      }
      expect(new Set(macs).size).toBe(3);
    } finally {
      await fleet.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps host keys across restarts with the same state dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostsim-fleet-'));
    try {
      const a = await startFleet({ count: 1, profile: 'small-one-node', stateDir: dir });
      const fp = a.hosts[0].fingerprint;
      await a.stop();
      const b = await startFleet({ count: 1, profile: 'small-one-node', stateDir: dir });
      expect(b.hosts[0].fingerprint).toBe(fp);
      await b.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
