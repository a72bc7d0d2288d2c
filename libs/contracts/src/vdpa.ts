import { z } from 'zod';
import { pciAddressSchema } from './values';

/**
 * vdpa names as netpin handles them (iproute2 `vdpa`, docs/host-ops.md "vDPA"). A management
 * device is `bus/name` (`pci/0000:3b:00.2`, `auxiliary/mlx5_core.sf.1`) or a bare name
 * (`vdpasim_net`); a vdpa device has any name its creator gave. Both reach argv and sysfs
 * paths, so only a safe subset is accepted.
 */
export const vdpaMgmtdevSchema = z
  .string()
  .max(96)
  .regex(/^([a-z][a-z0-9_]*\/)?[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'a vdpa management device looks like pci/0000:3b:00.2 or vdpasim_net');

export const vdpaDeviceNameSchema = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a vdpa device name may contain only letters, digits, "_", "." and "-"');

/** The management device a VF registers as (mlx5_vdpa, ifcvf): `pci/` + its PCI address. */
export function vfMgmtdev(vfPciAddress: string): string {
  return `pci/${pciAddressSchema.parse(vfPciAddress)}`;
}

/**
 * The vdpa device netpin creates for a VM's interface, `vdp` + FNV-1a of vmId and index (11
 * characters); the name is the ownership mark (devices carry no metadata).
 */
export const NETPIN_VDPA_PREFIX = 'vdp';

/**
 * What the domain XML the API renders names as a vDPA interface's source: this placeholder,
 * which the agent replaces with the device's /dev/vhost-vdpa-N (known only on the host, after
 * `vdpa dev add`) before define and before comparing with the defined domain. libvirt never
 * sees it.
 */
export const VDPA_SOURCE_PLACEHOLDER_DIR = '/run/netpin/vdpa';
export function vdpaSourcePlaceholder(device: string): string {
  return `${VDPA_SOURCE_PLACEHOLDER_DIR}/${vdpaDeviceNameSchema.parse(device)}`;
}

/** /dev/vhost-vdpa-N: the character device vhost_vdpa gives a vdpa device. */
export const vhostVdpaPathSchema = z.string().regex(/^\/dev\/vhost-vdpa-\d{1,5}$/, 'a vhost-vdpa device looks like /dev/vhost-vdpa-0');
