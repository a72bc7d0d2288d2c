import { describe, expect, it } from 'vitest';
import { emptyInterface, formToPreviewInput, formToVmInput, initialForm, type VmForm } from './form';

function valid(patch: Partial<VmForm> = {}): VmForm {
  return { ...initialForm(), name: 'web-1', interfaces: [emptyInterface('prod')], ...patch };
}

describe('formToVmInput', () => {
  it('turns a filled form into a VmInput with numbers and trimmed strings', () => {
    const r = formToVmInput(
      valid({
        name: '  web-1 ',
        vcpus: ' 8',
        memoryMiB: '8192',
        hugepages: 'SIZE_1G',
        guestVfDriver: true,
        interfaces: [
          {
            network: 'prod',
            datapath: 'SRIOV',
            liveMigratable: false,
            minBandwidthMbps: '10000',
            maxBandwidthMbps: '20000',
            mac: '52-54-00-AA-bb-01',
            vlan: '100',
          },
        ],
        pinHost: 'hv1',
      }),
    );
    expect(r).toEqual({
      ok: true,
      input: {
        name: 'web-1',
        vcpus: 8,
        memoryMiB: 8192,
        hugepages: 'SIZE_1G',
        cpuPolicy: 'DEDICATED',
        threadPolicy: 'PREFER',
        emulatorThreads: 'SHARE',
        numaPolicy: 'REQUIRED',
        guestVirtio: true,
        guestVfDriver: true,
        interfaces: [
          {
            network: 'prod',
            datapath: 'SRIOV',
            liveMigratable: false,
            minBandwidthMbps: 10000,
            maxBandwidthMbps: 20000,
            mac: '52:54:00:aa:bb:01',
            vlan: 100,
          },
        ],
        pinHost: 'hv1',
      },
    });
  });

  it('leaves optional interface fields out instead of sending empty strings', () => {
    const r = formToVmInput(valid());
    expect(r.ok && r.input.interfaces?.[0]).toEqual({ network: 'prod', datapath: 'AUTO', liveMigratable: false });
    expect(r.ok && 'pinHost' in r.input).toBe(false);
    expect(r.ok && 'avoidHosts' in r.input).toBe(false);
  });

  it.each([
    ['name', { name: '' }, 'Name is required'],
    ['name', { name: '-bad' }, 'must start with a letter or digit'],
    ['vcpus', { vcpus: '2.5' }, 'vCPUs must be a whole number'],
    ['vcpus', { vcpus: '0' }, 'vCPUs must be between 1 and 512'],
    ['memoryMiB', { memoryMiB: '64' }, 'Memory must be between 128'],
    ['memoryMiB', { memoryMiB: '1536', hugepages: 'SIZE_1G' as const }, 'multiple of 1024 MiB'],
    ['threadPolicy', { cpuPolicy: 'SHARED' as const, threadPolicy: 'ISOLATE' as const }, 'dedicated CPUs only'],
    ['interfaces', { interfaces: [] }, 'Add at least one interface'],
    ['pinHost', { pinHost: 'hv1', avoidHosts: ['hv1'] }, 'also in the avoid list'],
  ])('rejects bad %s with a message', (key, patch, message) => {
    const r = formToVmInput(valid(patch));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[key]).toContain(message);
  });

  it('refuses a bandwidth cap below the minimum on the cap field', () => {
    const r = formToVmInput(valid({ interfaces: [{ ...emptyInterface('prod'), minBandwidthMbps: '2000', maxBandwidthMbps: '1000' }] }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual({ 'interfaces.0.maxBandwidthMbps': 'The cap must be at least the minimum bandwidth' });
  });

  it('checks each interface against the guest drivers and migration needs', () => {
    const iface = (p: Partial<ReturnType<typeof emptyInterface>>) => ({ ...emptyInterface('prod'), ...p });
    const r = formToVmInput(
      valid({
        guestVirtio: false,
        guestVfDriver: false,
        interfaces: [
          iface({ datapath: 'SRIOV' }),
          iface({ datapath: 'VHOST_MACVTAP' }),
          iface({ network: '' }),
          iface({ mac: '01:00:5e:00:00:01' }),
          iface({ vlan: '5000' }),
        ],
      }),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors['interfaces.0.datapath']).toBe('SR-IOV needs a VF driver in the guest');
    expect(r.errors['interfaces.1.datapath']).toBe('This datapath needs a virtio driver in the guest');
    expect(r.errors['interfaces.2.network']).toBe('Choose a network');
    expect(r.errors['interfaces.3.mac']).toContain('unicast');
    expect(r.errors['interfaces.4.vlan']).toBe('VLAN must be between 0 and 4094');
    const migrating = formToVmInput(valid({ guestVfDriver: true, interfaces: [iface({ datapath: 'SRIOV', liveMigratable: true })] }));
    expect(!migrating.ok && migrating.errors['interfaces.0.datapath']).toBe('An SR-IOV VF cannot be live-migrated');
    const userspace = (hugepages: VmForm['hugepages']) =>
      formToVmInput(valid({ hugepages, interfaces: [iface({ datapath: 'VHOST_USER' })] }));
    const small = userspace('NONE');
    expect(!small.ok && small.errors['interfaces.0.datapath']).toBe('vhost-user needs the VM on huge pages');
    expect(userspace('SIZE_2M').ok).toBe(true);
  });

  it('flags two interfaces with the same MAC, whatever the spelling', () => {
    const r = formToVmInput(
      valid({
        interfaces: [
          { ...emptyInterface('a'), mac: '52:54:00:00:00:01' },
          { ...emptyInterface('b'), mac: '52-54-00-00-00-01' },
        ],
      }),
    );
    expect(!r.ok && r.errors['interfaces.1.mac']).toBe('Two interfaces have the same MAC');
  });

  it('previews a nameless form under a placeholder name but still validates the rest', () => {
    const r = formToPreviewInput(valid({ name: '' }));
    expect(r.ok && r.input.name).toBe('preview');
    expect(formToPreviewInput(valid({ name: '', vcpus: 'x' })).ok).toBe(false);
  });
});
