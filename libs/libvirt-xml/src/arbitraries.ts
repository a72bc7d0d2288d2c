import { domainNameSchema, ifNameSchema, MACVTAP_MODES, macAddressSchema, pciAddressSchema, vlanIdSchema } from '@netpin/contracts';
import fc from 'fast-check';
import { FEATURE_POLICIES, NIC_MODELS, NUMA_MEMORY_MODES, type DomainSpec, type InterfaceSpec, type NicDriver } from './model';

/** fast-check generators of valid DomainSpecs (test support; not exported from index). */
const cpuSet = (max: number) =>
  fc.uniqueArray(fc.integer({ min: 0, max }), { minLength: 1, maxLength: 6 }).map((a) => [...a].sort((x, y) => x - y));
const mac = fc
  .tuple(
    fc.integer({ min: 0, max: 127 }).map((b) => b * 2),
    fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 5, maxLength: 5 }),
  )
  .map(([first, rest]) => macAddressSchema.parse([first, ...rest].map((b) => b.toString(16).padStart(2, '0')).join(':')));
const ifName = fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/).map((s) => ifNameSchema.parse(s));
const vlan = fc.integer({ min: 0, max: 4094 }).map((n) => vlanIdSchema.parse(n));
const pci = fc
  .tuple(
    fc.integer({ min: 0, max: 0xffff }),
    fc.integer({ min: 0, max: 0xff }),
    fc.integer({ min: 0, max: 0x1f }),
    fc.integer({ min: 0, max: 7 }),
  )
  .map(([d, b, s, f]) =>
    pciAddressSchema.parse(`${d.toString(16).padStart(4, '0')}:${b.toString(16).padStart(2, '0')}:${s.toString(16).padStart(2, '0')}.${f}`),
  );

const driver: fc.Arbitrary<NicDriver> = fc.oneof(
  fc.constant({ name: 'vhost' as const }),
  fc.integer({ min: 1, max: 16 }).map((queues) => ({ name: 'vhost' as const, queues })),
  fc.constant({ name: 'qemu' as const }),
);
const emulated = fc.oneof(
  fc.record({ model: fc.constant('virtio' as const), driver }, { requiredKeys: ['model'] }),
  fc.record({ model: fc.constantFrom(...NIC_MODELS.filter((m) => m !== 'virtio')) }),
);

const iface: fc.Arbitrary<InterfaceSpec> = fc.oneof(
  fc.record({ type: fc.constant('hostdev' as const), mac, pciAddress: pci, vlan }, { requiredKeys: ['type', 'mac', 'pciAddress'] }),
  fc
    .tuple(fc.record({ type: fc.constant('direct' as const), mac, sourceDev: ifName, mode: fc.constantFrom(...MACVTAP_MODES) }), emulated)
    .map(([a, b]) => ({ ...a, ...b })),
  fc
    .tuple(
      fc.record({ type: fc.constant('bridge' as const), mac, bridge: ifName }),
      fc.option(vlan, { nil: undefined }),
      fc.boolean(),
      emulated,
    )
    .map(([a, v, ovs, b]) => ({ ...a, ...(ovs ? { openvswitch: true, ...(v !== undefined ? { vlan: v } : {}) } : {}), ...b })),
);

const failoverPair: fc.Arbitrary<InterfaceSpec[]> = fc
  .tuple(mac, ifName, pci, fc.stringMatching(/^ua-[a-z0-9]{1,8}$/))
  .map(([m, br, p, alias]) => [
    { type: 'bridge', mac: m, bridge: br, model: 'virtio', driver: { name: 'vhost' }, teaming: { type: 'persistent' }, alias },
    { type: 'hostdev', mac: m, pciAddress: p, teaming: { type: 'transient', persistent: alias } },
  ]);

export const domainSpecArb: fc.Arbitrary<DomainSpec> = fc
  .record({
    name: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,20}$/).map((s) => domainNameSchema.parse(s)),
    topology: fc.option(
      fc.record({
        sockets: fc.integer({ min: 1, max: 2 }),
        cores: fc.integer({ min: 1, max: 4 }),
        threads: fc.integer({ min: 1, max: 2 }),
      }),
      { nil: undefined },
    ),
    vcpus: fc.integer({ min: 1, max: 8 }),
    uuid: fc.option(fc.uuid(), { nil: undefined }),
    memoryMiB: fc.integer({ min: 1, max: 262144 }),
    hugepageSizeKiB: fc.option(fc.constantFrom(2048, 1048576), { nil: undefined }),
    pins: fc.option(fc.tuple(fc.array(cpuSet(127), { maxLength: 8 }), fc.option(cpuSet(127), { nil: undefined })), { nil: undefined }),
    numa: fc.option(fc.record({ mode: fc.constantFrom(...NUMA_MEMORY_MODES), nodeset: cpuSet(7) }), { nil: undefined }),
    cpu: fc.option(fc.boolean(), { nil: undefined }),
    cpuMode: fc.constantFrom('host-passthrough' as const, 'host-model' as const, 'custom' as const),
    features: fc.uniqueArray(
      fc.record({
        name: fc.constantFrom('svm', 'vmx', 'arch-capabilities', 'pdpe1gb', 'x2apic'),
        policy: fc.constantFrom(...FEATURE_POLICIES),
      }),
      { maxLength: 3, selector: (f) => f.name },
    ),
    qemu: fc.boolean(),
    owner: fc.option(fc.uuid(), { nil: undefined }),
    cellMiB: fc.integer({ min: 1, max: 65536 }),
    interfaces: fc.array(iface, { maxLength: 4 }),
    failover: fc.option(failoverPair, { nil: undefined }),
  })
  .map((r) => {
    const vcpus = r.topology === undefined ? r.vcpus : r.topology.sockets * r.topology.cores * r.topology.threads;
    const s: DomainSpec = { name: r.name, memoryMiB: r.memoryMiB, vcpus, interfaces: [...r.interfaces, ...(r.failover ?? [])] };
    if (r.uuid !== undefined) s.uuid = r.uuid;
    if (r.hugepageSizeKiB !== undefined) s.hugepageSizeKiB = r.hugepageSizeKiB;
    if (r.pins !== undefined) {
      s.cputune = { vcpupins: r.pins[0].slice(0, vcpus).map((cpuset, vcpu) => ({ vcpu, cpuset })) };
      if (r.pins[1] !== undefined) s.cputune.emulatorpin = r.pins[1];
    }
    if (r.numa !== undefined) s.numaMemory = r.numa;
    if (r.qemu) s.virtType = 'qemu';
    if (r.owner !== undefined) s.owner = { vmId: r.owner };
    if (r.cpu !== undefined || r.topology !== undefined) {
      s.cpu = { mode: r.cpuMode };
      if (r.cpuMode === 'custom') s.cpu.model = 'qemu64';
      if (r.features.length > 0) s.cpu.features = r.features;
      if (r.topology !== undefined) s.cpu.topology = r.topology;
      if (r.cpu === true) s.cpu.cells = [{ id: 0, cpus: Array.from({ length: vcpus }, (_, i) => i), memoryMiB: r.cellMiB }];
    }
    return s;
  });
