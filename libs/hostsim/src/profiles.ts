import { type HostSpec, type HostSpecInput, parseHostSpec } from './spec';

/**
 * Built-in host shapes. CPU numbering follows what Linux does on multi-socket machines:
 * first every core's thread 0 (socket by socket), then every thread 1, so node 0 of
 * "dual-socket-sriov" is "0-15,32-47" and cpu0's sibling is cpu32. "epyc-256" is a big
 * host for the web UI and scale tests: 2 x 64 cores x 2 threads in 4 NUMA nodes (NPS2).
 */
export const PROFILE_NAMES = [
  'dual-socket-sriov',
  'small-one-node',
  'legacy-no-iommu',
  'no-vhost',
  'epyc-256',
  'nfv-dpdk',
  'nfv-vdpa',
] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export class UnknownProfileError extends Error {
  readonly code = 'UNKNOWN_PROFILE';
}

export function isProfileName(s: string): s is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(s);
}

const SKYLAKE_FLAGS =
  'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc art arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf pni pclmulqdq dtes64 monitor ds_cpl vmx smx est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid dca sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand lahf_lm abm 3dnowprefetch cpuid_fault epb cat_l3 cdp_l3 invpcid_single pti intel_ppin ssbd mba ibrs ibpb stibp tpr_shadow vnmi flexpriority ept vpid ept_ad fsgsbase tsc_adjust bmi1 hle avx2 smep bmi2 erms invpcid rtm cqm mpx rdt_a avx512f avx512dq rdseed adx smap clflushopt clwb intel_pt avx512cd avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves cqm_llc cqm_occup_llc cqm_mbm_total cqm_mbm_local dtherm ida arat pln pts pku ospke md_clear flush_l1d arch_capabilities'.split(
    ' ',
  );

// A Core 2 era Xeon: VT-x without EPT, no 1G pages.
const CORE2_FLAGS =
  'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx lm constant_tsc arch_perfmon pebs bts rep_good nopl cpuid aperfmperf pni dtes64 monitor ds_cpl vmx est tm2 ssse3 cx16 xtpr pdcm lahf_lm pti tpr_shadow dtherm'.split(
    ' ',
  );

// An AMD EPYC 7003 (Zen 3): SVM with nested paging (npt) instead of VT-x/EPT.
const ZEN3_FLAGS =
  'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl nonstop_tsc cpuid extd_apicid aperfmperf rapl pni pclmulqdq monitor ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand lahf_lm cmp_legacy svm extapic cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw ibs skinit wdt tce topoext perfctr_core perfctr_nb bpext perfctr_llc mwaitx cpb cat_l3 cdp_l3 invpcid_single hw_pstate ssbd mba ibrs ibpb stibp vmmcall fsgsbase bmi1 avx2 smep bmi2 invpcid cqm rdt_a rdseed adx smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1 xsaves cqm_llc cqm_occup_llc cqm_mbm_total cqm_mbm_local clzero irperf xsaveerptr rdpru wbnoinvd amd_ppin arat npt lbrv svm_lock nrip_save tsc_scale vmcb_clean flushbyasid decodeassists pausefilter pfthreshold v_vmsave_vmload vgif v_spec_ctrl umip pku ospke vaes vpclmulqdq rdpid overflow_recov succor smca'.split(
    ' ',
  );

/** A locally administered MAC unique per (host index, nic index). */
function mac(hostIndex: number, nic: number): string {
  const h = hostIndex & 0xffff;
  return ['02', 'a0', (h >> 8).toString(16), (h & 0xff).toString(16), '00', nic.toString(16)].map((x) => x.padStart(2, '0')).join(':');
}

function dualSocket(hostname: string, i: number): HostSpecInput {
  return {
    hostname,
    kernelCmdline:
      'BOOT_IMAGE=/vmlinuz-6.1.0-18-amd64 root=UUID=3b6a1c52-5f0e-4d7e-9a51-1f4e0c2d9a10 ro quiet intel_iommu=on iommu=pt default_hugepagesz=2M hugepagesz=1G hugepages=16 hugepagesz=2M hugepages=4096',
    cpu: {
      modelName: 'Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz',
      family: 6,
      model: 85,
      mhz: 2100,
      sockets: 2,
      coresPerSocket: 16,
      threadsPerCore: 2,
      flags: SKYLAKE_FLAGS,
    },
    numaNodes: [
      { memoryMiB: 98304, hugepages2M: { nr: 2048 }, hugepages1G: { nr: 8 } },
      { memoryMiB: 98304, hugepages2M: { nr: 2048 }, hugepages1G: { nr: 8 } },
    ],
    iommu: true,
    vhostNet: true,
    ovs: true,
    nics: [
      {
        name: 'eno1',
        pciAddress: '0000:01:00.0',
        driver: 'tg3',
        pciId: '14e4:165f',
        numaNode: 0,
        mac: mac(i, 1),
        speedMbps: 1000,
        maxCombined: 4,
        combined: 4,
        irqBase: 40,
        irqNameStyle: 'generic',
      },
      {
        name: 'ens1f0',
        pciAddress: '0000:3b:00.0',
        driver: 'ixgbe',
        pciId: '8086:10fb',
        vfPciId: '8086:10ed',
        numaNode: 0,
        mac: mac(i, 2),
        speedMbps: 10000,
        sriovTotalVfs: 63,
        vfOffset: 128,
        vfStride: 2,
        maxCombined: 32,
        combined: 16,
        irqBase: 100,
        irqNameStyle: 'intel',
      },
      {
        name: 'ens5f0',
        pciAddress: '0000:af:00.0',
        driver: 'mlx5_core',
        pciId: '15b3:1017',
        vfPciId: '15b3:1018',
        numaNode: 1,
        mac: mac(i, 3),
        speedMbps: 25000,
        sriovTotalVfs: 64,
        vfOffset: 2,
        vfStride: 1,
        maxCombined: 32,
        combined: 16,
        irqBase: 200,
        irqNameStyle: 'mlx5',
      },
    ],
    bridges: [
      { name: 'br0', kind: 'linux', ports: ['eno1'] },
      { name: 'ovsbr0', kind: 'ovs', ports: [] },
    ],
  };
}

function smallOneNode(hostname: string, i: number, vhostNet: boolean): HostSpecInput {
  return {
    hostname,
    kernelCmdline:
      'BOOT_IMAGE=/vmlinuz-6.1.0-18-amd64 root=UUID=9d0e3f1a-2b44-4c1e-8f7a-6a2b1c3d4e5f ro quiet intel_iommu=on hugepagesz=2M hugepages=512',
    cpu: {
      modelName: 'Intel(R) Xeon(R) E-2236 CPU @ 3.40GHz',
      family: 6,
      model: 158,
      mhz: 3400,
      sockets: 1,
      coresPerSocket: 4,
      threadsPerCore: 2,
      flags: SKYLAKE_FLAGS,
    },
    numaNodes: [{ memoryMiB: 32768, hugepages2M: { nr: 512 }, hugepages1G: { nr: 0 } }],
    iommu: true,
    vhostNet,
    nics: [
      {
        name: 'enp1s0',
        pciAddress: '0000:01:00.0',
        driver: 'igb',
        pciId: '8086:1521',
        vfPciId: '8086:1520',
        numaNode: 0,
        mac: mac(i, 1),
        speedMbps: 1000,
        sriovTotalVfs: 8,
        vfOffset: 128,
        vfStride: 4,
        maxCombined: 8,
        combined: 8,
        irqBase: 30,
        irqNameStyle: 'intel',
      },
    ],
    bridges: [{ name: 'br0', kind: 'linux', ports: ['enp1s0'] }],
  };
}

function legacy(hostname: string, i: number): HostSpecInput {
  return {
    hostname,
    kernelRelease: '5.10.0-28-amd64',
    kernelCmdline: 'BOOT_IMAGE=/vmlinuz-5.10.0-28-amd64 root=UUID=0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5 ro quiet',
    cpu: {
      modelName: 'Intel(R) Xeon(R) CPU           X3210  @ 2.13GHz',
      family: 6,
      model: 15,
      mhz: 2133,
      sockets: 1,
      coresPerSocket: 4,
      threadsPerCore: 1,
      flags: CORE2_FLAGS,
    },
    numaNodes: [{ memoryMiB: 8192 }],
    iommu: false,
    vhostNet: false,
    irqbalance: true,
    nics: [
      {
        name: 'eth0',
        pciAddress: '0000:02:00.0',
        driver: 'e1000e',
        pciId: '8086:10d3',
        numaNode: -1,
        mac: mac(i, 1),
        speedMbps: 1000,
        maxCombined: 1,
        combined: 1,
        irqBase: 26,
        irqNameStyle: 'e1000e',
      },
    ],
    bridges: [{ name: 'br0', kind: 'linux', ports: ['eth0'] }],
  };
}

function epyc256(hostname: string, i: number): HostSpecInput {
  const node = { memoryMiB: 262144, hugepages2M: { nr: 4096 }, hugepages1G: { nr: 64 } };
  return {
    hostname,
    kernelCmdline:
      'BOOT_IMAGE=/vmlinuz-6.1.0-18-amd64 root=UUID=5c2e8a41-7d3b-4f0e-9b6a-2e1d0c9f8a77 ro quiet amd_iommu=on iommu=pt default_hugepagesz=2M hugepagesz=1G hugepages=256 hugepagesz=2M hugepages=16384',
    cpu: {
      modelName: 'AMD EPYC 7763 64-Core Processor',
      vendor: 'AuthenticAMD',
      family: 25,
      model: 1,
      mhz: 2450,
      sockets: 2,
      coresPerSocket: 64,
      threadsPerCore: 2,
      flags: ZEN3_FLAGS,
    },
    numaNodes: [node, node, node, node],
    iommu: true,
    vhostNet: true,
    ovs: true,
    nics: [
      {
        name: 'eno1',
        pciAddress: '0000:41:00.0',
        driver: 'igb',
        pciId: '8086:1521',
        numaNode: 0,
        mac: mac(i, 1),
        speedMbps: 1000,
        maxCombined: 8,
        combined: 8,
        irqBase: 40,
        irqNameStyle: 'intel',
      },
      {
        name: 'ens1f0',
        pciAddress: '0000:21:00.0',
        driver: 'mlx5_core',
        pciId: '15b3:101d',
        vfPciId: '15b3:101e',
        numaNode: 1,
        mac: mac(i, 2),
        speedMbps: 100000,
        sriovTotalVfs: 127,
        vfOffset: 2,
        vfStride: 1,
        maxCombined: 63,
        combined: 32,
        irqBase: 300,
        irqNameStyle: 'mlx5',
      },
      {
        name: 'ens2f0',
        pciAddress: '0000:c1:00.0',
        driver: 'ice',
        pciId: '8086:1592',
        vfPciId: '8086:1889',
        numaNode: 3,
        mac: mac(i, 3),
        speedMbps: 100000,
        sriovTotalVfs: 128,
        vfOffset: 8,
        vfStride: 1,
        maxCombined: 64,
        combined: 32,
        irqBase: 500,
        irqNameStyle: 'intel',
      },
    ],
    bridges: [
      { name: 'br0', kind: 'linux', ports: ['eno1'] },
      { name: 'ovsbr0', kind: 'ovs', ports: [] },
    ],
  };
}

/**
 * The dual-socket host as telco/NFV runs it: Open vSwitch with DPDK, PMD threads on CPU 2
 * (node 0) and CPU 18 (node 1), and a userspace (netdev) bridge br-dpdk for vhost-user ports.
 */
function nfvDpdk(hostname: string, i: number): HostSpecInput {
  const base = dualSocket(hostname, i);
  return {
    ...base,
    ovsDpdk: { pmdCpuMask: '0x40004' },
    bridges: [...(base.bridges ?? []), { name: 'br-dpdk', kind: 'ovs', datapathType: 'netdev' }],
  };
}

/**
 * dual-socket-sriov with ens5f0 a ConnectX-6 Dx (15b3:101d, VFs 15b3:101e) whose VFs are vdpa
 * management devices (mlx5_vdpa), and vhost_vdpa loaded.
 */
function nfvVdpa(hostname: string, i: number): HostSpecInput {
  const s = dualSocket(hostname, i);
  return {
    ...s,
    nics: s.nics.map((n) => (n.name === 'ens5f0' ? { ...n, pciId: '15b3:101d', vfPciId: '15b3:101e', speedMbps: 100000 } : n)),
    vdpa: { pfs: ['ens5f0'], vhostVdpa: true },
  };
}

/** The spec of a built-in profile; `index` keeps MACs unique across a fleet. */
export function profileSpec(name: string, hostname: string, index = 0): HostSpec {
  if (!isProfileName(name)) throw new UnknownProfileError(`unknown profile "${name}" (known: ${PROFILE_NAMES.join(', ')})`);
  switch (name) {
    case 'dual-socket-sriov':
      return parseHostSpec(dualSocket(hostname, index));
    case 'small-one-node':
      return parseHostSpec(smallOneNode(hostname, index, true));
    case 'no-vhost':
      return parseHostSpec(smallOneNode(hostname, index, false));
    case 'legacy-no-iommu':
      return parseHostSpec(legacy(hostname, index));
    case 'epyc-256':
      return parseHostSpec(epyc256(hostname, index));
    case 'nfv-dpdk':
      return parseHostSpec(nfvDpdk(hostname, index));
    case 'nfv-vdpa':
      return parseHostSpec(nfvVdpa(hostname, index));
  }
}
