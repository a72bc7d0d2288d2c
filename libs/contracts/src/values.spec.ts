import { describe, expect, it } from 'vitest';
import {
  formatCpuList,
  formatCpuMask,
  ifNameSchema,
  macAddressSchema,
  parseCpuList,
  parseCpuMask,
  pciAddressSchema,
  sshAddressSchema,
  vlanIdSchema,
} from './values';

describe('CPU lists', () => {
  it('parses ranges and singles into sorted ids', () => {
    expect(parseCpuList('8-11,0-3')).toEqual([0, 1, 2, 3, 8, 9, 10, 11]);
    expect(parseCpuList('5')).toEqual([5]);
    expect(parseCpuList('\n')).toEqual([]);
  });
  it('rejects garbage and reversed ranges', () => {
    expect(() => parseCpuList('0-3;rm -rf /')).toThrow(/invalid CPU list/);
    expect(() => parseCpuList('3-1')).toThrow(/invalid CPU range/);
  });
  it('formats the shortest list and round-trips', () => {
    expect(formatCpuList([0, 1, 2, 3, 8, 9, 10, 11, 13])).toBe('0-3,8-11,13');
    expect(parseCpuList(formatCpuList([7, 2, 3, 4]))).toEqual([2, 3, 4, 7]);
  });
});

describe('CPU masks', () => {
  it('parses 64+ CPU masks with commas', () => {
    expect(parseCpuMask('00000001,00000000,00000003')).toEqual([0, 1, 64]);
    expect(parseCpuMask('ff')).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
  it('formats like the kernel for the host CPU count', () => {
    expect(formatCpuMask([0, 1, 2, 3, 4, 5, 6, 7], 8)).toBe('ff');
    expect(formatCpuMask([0, 63], 64)).toBe('80000000,00000001');
    expect(formatCpuMask([40], 48)).toBe('0100,00000000');
    expect(formatCpuMask([], 4)).toBe('0');
  });
  it('round-trips', () => {
    const cpus = [1, 33, 95, 100];
    expect(parseCpuMask(formatCpuMask(cpus, 128))).toEqual(cpus);
  });
});

describe('typed names', () => {
  it('accepts Linux interface names and refuses shell metacharacters', () => {
    expect(ifNameSchema.parse('enp59s0f1')).toBe('enp59s0f1');
    expect(ifNameSchema.safeParse('br0;reboot').success).toBe(false);
    expect(ifNameSchema.safeParse('a'.repeat(16)).success).toBe(false);
    expect(ifNameSchema.safeParse('..').success).toBe(false);
  });
  it('normalises MACs and refuses multicast', () => {
    expect(macAddressSchema.parse('52-54-00-AB-CD-EF')).toBe('52:54:00:ab:cd:ef');
    expect(macAddressSchema.safeParse('01:00:5e:00:00:01').success).toBe(false);
  });
  it('checks VLAN range and PCI addresses', () => {
    expect(vlanIdSchema.safeParse(4095).success).toBe(false);
    expect(vlanIdSchema.parse(100)).toBe(100);
    expect(pciAddressSchema.parse('3B:00.1')).toBe('0000:3b:00.1');
    expect(pciAddressSchema.safeParse('0000:3b:00.8').success).toBe(false);
  });
  it('accepts IPv4, IPv6 and DNS names as SSH addresses', () => {
    for (const ok of ['10.0.0.1', '::1', 'fe80::1', 'kvm-01.example.org']) expect(sshAddressSchema.safeParse(ok).success).toBe(true);
    for (const bad of ['256.1.1.1', 'host name', 'a;b', '']) expect(sshAddressSchema.safeParse(bad).success).toBe(false);
  });
});
