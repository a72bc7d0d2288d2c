import { vdpaDeviceDesiredSchema, vdpaDeviceNameSchema, type VdpaDeviceDesired } from '@netpin/contracts';
import type { HostCommand } from './command';
import { HostCommandArgumentError } from './errors';
import { hostPaths } from './paths';

/**
 * iproute2's `vdpa` (docs/host-ops.md "vDPA"). Without the vdpa netlink family (no vdpa
 * module) every command prints "Failed to connect to vdpa Netlink" and exits 1: discovery
 * reads that as "no vdpa", so the show commands accept exit 1.
 */
export function vdpaMgmtdevShow(): HostCommand {
  return { argv: ['vdpa', '-j', 'mgmtdev', 'show'], okExitCodes: [0, 1] };
}

/** Every vdpa device as JSON (`{"dev":{NAME:{"type":…,"mgmtdev":…}}}`). */
export function vdpaDevShow(): HostCommand {
  return { argv: ['vdpa', '-j', 'dev', 'show'], okExitCodes: [0, 1] };
}

function checked(d: VdpaDeviceDesired): VdpaDeviceDesired {
  const r = vdpaDeviceDesiredSchema.safeParse(d);
  if (!r.success)
    throw new HostCommandArgumentError(String(r.error.issues[0]?.path.join('.') ?? 'vdpa'), r.error.issues[0]?.message ?? 'invalid');
  return r.data;
}

/**
 * `vdpa dev add name NAME mgmtdev MGMTDEV mac MAC [max_vqp N] [mtu M]`: max_vqp only above one
 * and mtu only when the network sets one, so a management device without those config
 * attributes still takes a plain single-queue device.
 */
export function vdpaDevAdd(d: VdpaDeviceDesired): HostCommand {
  const v = checked(d);
  return {
    argv: [
      'vdpa',
      'dev',
      'add',
      'name',
      v.name,
      'mgmtdev',
      v.mgmtdev,
      'mac',
      v.mac,
      ...(v.maxVqp > 1 ? ['max_vqp', String(v.maxVqp)] : []),
      ...(v.mtu !== null ? ['mtu', String(v.mtu)] : []),
    ],
  };
}

export function vdpaDevDel(name: string): HostCommand {
  return { argv: ['vdpa', 'dev', 'del', deviceName(name)] };
}

/** `ls -1 -- /sys/bus/vdpa/devices/NAME`: its entries, `vhost-vdpa-N` among them once vhost_vdpa has it. */
export function vdpaDeviceEntries(name: string): HostCommand {
  return { argv: ['ls', '-1', '--', hostPaths.vdpaDevice(deviceName(name))], okExitCodes: [0, 2] };
}

/** The driver a vdpa device is bound to (`readlink …/driver`; exit 1 when unbound). */
export function vdpaDeviceDriver(name: string): HostCommand {
  return { argv: ['readlink', '--', `${hostPaths.vdpaDevice(deviceName(name))}/driver`], okExitCodes: [0, 1] };
}

function deviceName(name: string): string {
  const r = vdpaDeviceNameSchema.safeParse(name);
  if (!r.success) throw new HostCommandArgumentError('name', r.error.issues[0]?.message ?? 'invalid vdpa device name');
  return r.data;
}
