import { describe, expect, it } from 'vitest';
import { REASON_CODES, REASON_DESCRIPTIONS, vmRequestSchema } from './placement';

describe('vmRequestSchema', () => {
  it('fills the documented defaults', () => {
    const r = vmRequestSchema.parse({ name: 'web-1', vcpus: 2, memoryMiB: 1024, interfaces: [{ network: 'lan' }] });
    expect(r).toMatchObject({
      hugepages: 'NONE',
      cpuPolicy: 'DEDICATED',
      threadPolicy: 'PREFER',
      numaPolicy: 'REQUIRED',
      guest: { virtio: true, vfDriver: true },
    });
    expect(r.interfaces[0]).toMatchObject({ datapath: 'AUTO', liveMigratable: false, minBandwidthMbps: 0 });
  });
  it('rejects memory that is not a whole number of hugepages', () => {
    const r = vmRequestSchema.safeParse({ name: 'a', vcpus: 1, memoryMiB: 1536, hugepages: 'SIZE_1G' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].path).toEqual(['memoryMiB']);
  });
  it('rejects thread policies on shared vCPUs', () => {
    expect(vmRequestSchema.safeParse({ name: 'a', vcpus: 1, memoryMiB: 512, cpuPolicy: 'SHARED', threadPolicy: 'ISOLATE' }).success).toBe(
      false,
    );
  });
  it('normalises a MAC and refuses a multicast one', () => {
    expect(
      vmRequestSchema.parse({ name: 'a', vcpus: 1, memoryMiB: 512, interfaces: [{ network: 'n', mac: '52-54-00-AA-BB-CC' }] }).interfaces[0]
        .mac,
    ).toBe('52:54:00:aa:bb:cc');
    expect(
      vmRequestSchema.safeParse({ name: 'a', vcpus: 1, memoryMiB: 512, interfaces: [{ network: 'n', mac: '01:00:5e:00:00:01' }] }).success,
    ).toBe(false);
  });
});

describe('REASON_CODES', () => {
  it('are unique and each has a description', () => {
    expect(new Set(REASON_CODES).size).toBe(REASON_CODES.length);
    for (const c of REASON_CODES) expect(REASON_DESCRIPTIONS[c].length).toBeGreaterThan(10);
  });
});
