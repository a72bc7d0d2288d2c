import { vdpaDeviceNameSchema, vdpaMgmtdevSchema } from '@netpin/contracts';
import { z } from 'zod';
import { HostOutputParseError } from '../errors';
import { splitLines } from './lines';

/**
 * `vdpa -j` output (iproute2 vdpa/vdpa.c): one section object keyed by handle. mgmtdev show:
 * `{"mgmtdev":{"pci/0000:3b:00.2":{"supported_classes":["net"],"max_supported_vqs":…,"dev_features":[…]}}}`
 * (older kernels print only supported_classes); dev show:
 * `{"dev":{"vdpa0":{"type":"network","mgmtdev":"pci/0000:3b:00.2","vendor_id":…,"max_vqs":…,"max_vq_size":…}}}`.
 * Handles are `bus/name` or a bare name (vdpasim_net).
 */
const mgmtdevShowSchema = z.object({ mgmtdev: z.record(z.string(), z.object({ supported_classes: z.array(z.string()).optional() })) });
const devShowSchema = z.object({ dev: z.record(z.string(), z.object({ type: z.string(), mgmtdev: z.string() })) });

function json(source: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HostOutputParseError(source, 'not JSON', text.slice(0, 200), 1);
  }
}

/** Management devices that can make network (virtio-net) vdpa devices. Empty output (no vdpa netlink) = none. */
export function parseVdpaMgmtdevs(text: string): string[] {
  if (text.trim() === '') return [];
  const r = mgmtdevShowSchema.safeParse(json('vdpa mgmtdev show', text));
  if (!r.success)
    throw new HostOutputParseError('vdpa mgmtdev show', r.error.issues[0]?.message ?? 'unexpected shape', text.slice(0, 200), 1);
  return Object.entries(r.data.mgmtdev)
    .filter(([, m]) => m.supported_classes === undefined || m.supported_classes.includes('net'))
    .map(([handle]) => vdpaMgmtdevSchema.parse(handle))
    .sort();
}

export interface VdpaDeviceFact {
  name: string;
  mgmtdev: string;
  type: string;
}

/** Every vdpa device with its management device. Empty output (no vdpa netlink) = none. */
export function parseVdpaDevices(text: string): VdpaDeviceFact[] {
  if (text.trim() === '') return [];
  const r = devShowSchema.safeParse(json('vdpa dev show', text));
  if (!r.success) throw new HostOutputParseError('vdpa dev show', r.error.issues[0]?.message ?? 'unexpected shape', text.slice(0, 200), 1);
  return Object.entries(r.data.dev)
    .map(([name, d]) => ({ name: vdpaDeviceNameSchema.parse(name), mgmtdev: vdpaMgmtdevSchema.parse(d.mgmtdev), type: d.type }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** `ls -1` of a vdpa device's sysfs directory -> its /dev/vhost-vdpa-N, or null (not bound to vhost_vdpa). */
export function parseVhostVdpaChardev(text: string): string | null {
  const hits = splitLines(text)
    .map((l) => l.trim())
    .filter((l) => /^vhost-vdpa-\d+$/.test(l));
  return hits.length === 1 ? `/dev/${hits[0]}` : null;
}
