import type { NicState } from '../model';
import { type CommandHandler, type CommandResult, fail, ok } from './types';

/** ethtool 6.x over netlink: -l/-L channels and -i driver info. */

function showChannels(nic: NicState): string {
  const sp = nic.spec;
  return [
    `Channel parameters for ${sp.name}:`,
    'Pre-set maximums:',
    'RX:\t\tn/a',
    'TX:\t\tn/a',
    'Other:\t\t1',
    `Combined:\t${sp.maxCombined}`,
    'Current hardware settings:',
    'RX:\t\tn/a',
    'TX:\t\tn/a',
    'Other:\t\t1',
    `Combined:\t${nic.combined}`,
    '',
  ].join('\n');
}

function setChannels(nic: NicState, args: string[]): CommandResult {
  let combined: number | undefined;
  for (let i = 0; i < args.length; i += 2) {
    const [k, v] = [args[i], args[i + 1]];
    if (v === undefined || !/^\d+$/.test(v)) return fail(1, `ethtool: bad command line argument(s)\nFor more information run ethtool -h`);
    if (k === 'combined') combined = Number(v);
    else if (k === 'rx' || k === 'tx') {
      if (Number(v) !== 0) return fail(1, 'netlink error: requested channel count exceeds maximum\nnetlink error: Invalid argument');
    } else if (k === 'other') {
      if (Number(v) !== 1) return fail(1, 'netlink error: Invalid argument');
    } else return fail(1, `ethtool: bad command line argument(s)\nFor more information run ethtool -h`);
  }
  if (combined === undefined) return ok();
  if (combined > nic.spec.maxCombined)
    return fail(1, 'netlink error: requested channel count exceeds maximum (offset 36)\nnetlink error: Invalid argument');
  if (combined === 0) return fail(1, 'netlink error: requested channel counts are too low (offset 36)\nnetlink error: Invalid argument');
  nic.combined = combined;
  nic.rps = nic.rps.slice(0, combined);
  return ok();
}

function driverInfo(nic: NicState, kernel: string): string {
  return [
    `driver: ${nic.spec.driver}`,
    `version: ${kernel}`,
    'firmware-version: 0x800003e7',
    'expansion-rom-version: ',
    `bus-info: ${nic.spec.pciAddress}`,
    'supports-statistics: yes',
    'supports-test: yes',
    'supports-eeprom-access: yes',
    'supports-register-dump: yes',
    'supports-priv-flags: yes',
    '',
  ].join('\n');
}

export const ethtool: CommandHandler = (args, ctx) => {
  const [opt, dev, ...rest] = args;
  if (opt === undefined || dev === undefined) return fail(1, 'ethtool: bad command line argument(s)\nFor more information run ethtool -h');
  const nic = ctx.model.nic(dev);
  if (!nic) {
    const known = ctx.model.spec.bridges.some((b) => b.name === dev);
    return fail(
      known ? 1 : 1,
      known ? 'netlink error: Operation not supported' : `netlink error: no device matches name (offset 24)\nnetlink error: No such device`,
    );
  }
  switch (opt) {
    case '-l':
    case '--show-channels':
      return ok(showChannels(nic));
    case '-L':
    case '--set-channels':
      return setChannels(nic, rest);
    case '-i':
    case '--driver':
      return ok(driverInfo(nic, ctx.model.spec.kernelRelease));
    default:
      return fail(1, `ethtool: hostsim supports -l, -L and -i, not ${opt}`);
  }
};
