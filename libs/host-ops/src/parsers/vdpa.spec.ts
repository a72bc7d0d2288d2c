import { describe, expect, it } from 'vitest';
import vdpaMgmtdevs from '../__fixtures__/vdpa-mgmtdev-mlx5.json?raw';
import { vdpaDevAdd, vdpaDevDel, vdpaDeviceEntries } from '../builders-vdpa';
import { HostCommandArgumentError, HostOutputParseError } from '../errors';
import { parseVdpaDevices, parseVdpaMgmtdevs, parseVhostVdpaChardev } from './vdpa';

describe('vdpa -j output', () => {
  it('lists network management devices, PCI VFs and bare names (vdpasim), old kernels without dev_features too', () => {
    expect(parseVdpaMgmtdevs(vdpaMgmtdevs)).toEqual(['pci/0000:af:00.2', 'pci/0000:af:00.3']);
    const mixed =
      '{"mgmtdev":{"vdpasim_net":{"supported_classes":["net"]},"vdpasim_blk":{"supported_classes":["block"]},"auxiliary/mlx5_core.sf.1":{"supported_classes":["net"],"max_supported_vqs":257,"dev_features":["MQ"]}}}\n';
    expect(parseVdpaMgmtdevs(mixed)).toEqual(['auxiliary/mlx5_core.sf.1', 'vdpasim_net']);
    expect(parseVdpaMgmtdevs('{"mgmtdev":{}}\n')).toEqual([]);
    expect(parseVdpaMgmtdevs('')).toEqual([]);
  });

  it('lists devices with their management device', () => {
    const text =
      '{"dev":{"vdpa0":{"type":"network","mgmtdev":"vdpasim_net","vendor_id":0,"max_vqs":3,"max_vq_size":256},"vdp1":{"type":"network","mgmtdev":"pci/0000:01:00.5","vendor_id":6900,"max_vqs":9,"max_vq_size":256}}}\n';
    expect(parseVdpaDevices(text)).toEqual([
      { name: 'vdp1', mgmtdev: 'pci/0000:01:00.5', type: 'network' },
      { name: 'vdpa0', mgmtdev: 'vdpasim_net', type: 'network' },
    ]);
  });

  it('refuses what is not vdpa JSON, and handles that would be unsafe in argv or sysfs paths', () => {
    expect(() => parseVdpaMgmtdevs('vdpasim_net: supported_classes net\n')).toThrow(HostOutputParseError);
    expect(() => parseVdpaDevices('{"dev":{"x":{"type":"network"}}}')).toThrow(HostOutputParseError);
    expect(() => parseVdpaDevices('{"dev":{"../x":{"type":"network","mgmtdev":"vdpasim_net"}}}')).toThrow();
  });

  it("finds the vhost-vdpa character device among a device's sysfs entries", () => {
    expect(parseVhostVdpaChardev('driver\ndriver_override\npower\nsubsystem\nuevent\nvhost-vdpa-3\n')).toBe('/dev/vhost-vdpa-3');
    // bound to virtio_vdpa instead: a virtio device, no chardev
    expect(parseVhostVdpaChardev('driver\ndriver_override\npower\nsubsystem\nuevent\nvirtio2\n')).toBeNull();
  });
});

describe('vdpa commands', () => {
  const d = { name: 'vdp5e1c0a42', mgmtdev: 'pci/0000:af:00.2', mac: '52:54:00:12:34:56', maxVqp: 4, mtu: 9000 } as const;

  it('adds with mac, and max_vqp/mtu only when they say something', () => {
    expect(vdpaDevAdd(d as never).argv).toEqual(
      'vdpa dev add name vdp5e1c0a42 mgmtdev pci/0000:af:00.2 mac 52:54:00:12:34:56 max_vqp 4 mtu 9000'.split(' '),
    );
    expect(vdpaDevAdd({ ...d, maxVqp: 1, mtu: null } as never).argv).toEqual(
      'vdpa dev add name vdp5e1c0a42 mgmtdev pci/0000:af:00.2 mac 52:54:00:12:34:56'.split(' '),
    );
  });

  it('refuses names and handles that could escape argv or the sysfs tree', () => {
    expect(() => vdpaDevAdd({ ...d, name: 'a b' } as never)).toThrow(HostCommandArgumentError);
    expect(() => vdpaDevAdd({ ...d, mgmtdev: 'pci/../../x' } as never)).toThrow(HostCommandArgumentError);
    expect(() => vdpaDevDel('-rf')).toThrow(HostCommandArgumentError);
    expect(() => vdpaDeviceEntries('..')).toThrow(HostCommandArgumentError);
    expect(vdpaDevDel('vdp5e1c0a42').argv).toEqual(['vdpa', 'dev', 'del', 'vdp5e1c0a42']);
  });
});
