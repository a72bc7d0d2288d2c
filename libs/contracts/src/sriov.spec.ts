import { describe, expect, it } from 'vitest';
import { BadUserInputError, parseInput } from './errors';
import { createSriovPolicyInputSchema, updateSriovPolicyInputSchema } from './sriov';

const fieldOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof BadUserInputError) return e.field;
    throw e;
  }
  return '(parsed)';
};

describe('SR-IOV policy input', () => {
  it('fills the defaults and normalises PCI ids and labels', () => {
    expect(
      parseInput(createSriovPolicyInputSchema, {
        name: 'pool-a',
        numVfs: 8,
        vendorId: '8086',
        deviceId: '10FB',
        hostLabels: [{ key: 'rack', value: 'a' }],
      }),
    ).toEqual({
      name: 'pool-a',
      priority: 0,
      hostNamePattern: null,
      hostLabels: { rack: 'a' },
      pfNamePattern: null,
      driver: null,
      vendorId: '8086',
      deviceId: '10fb',
      numVfs: 8,
      spoofchk: true,
      trust: false,
      linkState: 'auto',
      maxTxRateMbps: 0,
    });
  });

  it.each([
    [{ name: 'Pool A', numVfs: 1 }, 'name'],
    [{ name: 'p', numVfs: 257 }, 'numVfs'],
    [{ name: 'p', numVfs: -1 }, 'numVfs'],
    [{ name: 'p', numVfs: 1.5 }, 'numVfs'],
    [{ name: 'p', numVfs: 1, hostNamePattern: 'hv-[0-9]' }, 'hostNamePattern'],
    [{ name: 'p', numVfs: 1, pfNamePattern: 'ens1f0;reboot' }, 'pfNamePattern'],
    [{ name: 'p', numVfs: 1, pfNamePattern: '../x' }, 'pfNamePattern'],
    [{ name: 'p', numVfs: 1, vendorId: '808' }, 'vendorId'],
    [{ name: 'p', numVfs: 1, deviceId: '0x10fb' }, 'deviceId'],
    [{ name: 'p', numVfs: 1, linkState: 'up' }, 'linkState'],
    [{ name: 'p', numVfs: 1, maxTxRateMbps: -5 }, 'maxTxRateMbps'],
    [{ name: 'p', numVfs: 1, priority: 0.5 }, 'priority'],
    [{ name: 'p', numVfs: 1, driver: 'ix gbe' }, 'driver'],
    [{ name: 'p', numVfs: 1, hostLabels: [{ key: 'Rack', value: 'a' }] }, 'hostLabels.0.key'],
    [
      {
        name: 'p',
        numVfs: 1,
        hostLabels: [
          { key: 'rack', value: 'a' },
          { key: 'rack', value: 'b' },
        ],
      },
      'hostLabels.1.key',
    ],
  ])('refuses %j naming %s', (input, field) => {
    expect(fieldOf(() => parseInput(createSriovPolicyInputSchema, input))).toBe(field);
  });

  it('updates only what is given; null clears a selector', () => {
    expect(parseInput(updateSriovPolicyInputSchema, { numVfs: 4, pfNamePattern: null })).toEqual({ numVfs: 4, pfNamePattern: null });
    expect(fieldOf(() => parseInput(updateSriovPolicyInputSchema, {}))).toBe('input');
  });
});
