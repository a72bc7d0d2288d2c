import { describe, expect, it } from 'vitest';
import { place } from '../api';
import { fleet, vm } from '../testing/fleet-builder';
import { reasonsOf } from '../testing/results';

/**
 * A host without VT-x or /dev/kvm can still run guests when its operator set virtType QEMU
 * (TCG emulation); with the default KVM it is refused with HOST_LACKS_VIRTUALIZATION.
 */
function oneHost(virtType: 'KVM' | 'QEMU') {
  return fleet()
    .host({ name: 'tcg', caps: { vmx: false, kvm: false, vhostNet: false, iommu: false }, virtType, nics: [{ name: 'eno1', node: 0 }] })
    .network('lbr', 'LINUX_BRIDGE', { on: { tcg: ['eno1'] } })
    .build();
}

describe('virtType', () => {
  it('KVM on a host without /dev/kvm -> HOST_LACKS_VIRTUALIZATION', () => {
    const r = place(oneHost('KVM'), vm({ interfaces: [{ network: 'lbr' }] }));
    expect(r.ok).toBe(false);
    expect(reasonsOf(r)).toContain('HOST_LACKS_VIRTUALIZATION');
  });

  it('QEMU on the same host places, with userspace virtio since there is no vhost-net', () => {
    const r = place(oneHost('QEMU'), vm({ interfaces: [{ network: 'lbr' }] }));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.plan.interfaces[0].datapath).toBe('VIRTIO_USERSPACE');
  });
});
