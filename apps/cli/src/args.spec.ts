import { describe, expect, it } from 'vitest';
import { COMMANDS, EXIT, UsageError, commandHelp, parseCli } from './args';
import { GLOBAL_FLAGS, type Flags } from './flags';
import { parseBandwidthMbps, parseMemoryMiB, parseNet, vmInputFromFlags } from './vm-input';

function command(argv: string[]) {
  const p = parseCli(argv);
  if (p.kind !== 'command') throw new Error(`expected a command, got help:\n${p.text}`);
  return p;
}

describe('parseCli', () => {
  it('finds two-word and one-word commands with their arguments and flags', () => {
    expect(command(['hosts', 'show', 'hv-01'])).toMatchObject({
      command: { name: 'hosts show' },
      args: ['hv-01'],
      global: { json: false },
    });
    expect(command(['explain', 'hv-02', '--vcpus', '2', '--memory', '1G', '--json'])).toMatchObject({
      command: { name: 'explain' },
      args: ['hv-02'],
      values: { vcpus: '2', memory: '1G' },
      global: { json: true },
    });
  });

  it('vm delete takes --force (issue 13: delete in any state)', () => {
    expect(command(['vm', 'delete', 'web-01', '--force', '--no-wait'])).toMatchObject({
      command: { name: 'vm delete' },
      args: ['web-01'],
      values: { force: true, 'no-wait': true },
    });
  });

  it('accepts global flags before the command', () => {
    expect(command(['--json', '--url', 'http://api:3000', 'vm', 'list'])).toMatchObject({
      command: { name: 'vm list' },
      global: { json: true, url: 'http://api:3000' },
    });
    expect(command(['--config', '/etc/netpin.json', 'networks', 'list']).global.config).toBe('/etc/netpin.json');
  });

  it('collects repeated --net and boolean --no-wait', () => {
    const p = command([
      'vm',
      'create',
      '--name',
      'a',
      '--vcpus',
      '2',
      '--memory',
      '2048',
      '--net',
      'physnet0',
      '--net',
      'tenant-br:vhost-bridge',
      '--no-wait',
    ]);
    expect(p.values.net).toEqual(['physnet0', 'tenant-br:vhost-bridge']);
    expect(p.values['no-wait']).toBe(true);
  });

  it('answers --help per command and for the whole tool', () => {
    const help = parseCli(['vm', 'create', '--help']);
    expect(help.kind).toBe('help');
    expect(help.kind === 'help' && help.text).toContain('Usage: netpin vm create [options]');
    expect(help.kind === 'help' && help.text).toContain('--idempotency-key <key>');
    const top = parseCli([]);
    expect(top.kind === 'help' && top.text).toContain('operations watch <id>');
    expect(top.kind === 'help' && top.text).toContain('Exit codes: 0 ok, 1');
    const nic = parseCli(['vm', 'nic', 'attach', '--help']);
    expect(nic.kind === 'help' && nic.text).toContain('Usage: netpin vm nic attach <vm> [options]');
    expect(nic.kind === 'help' && nic.text).toContain('--network <name|id>');
    const nicGroup = parseCli(['vm', 'nic', '--help']);
    expect(nicGroup.kind === 'help' && nicGroup.text).toContain('netpin vm nic detach <vm> <interface>');
    const topic = parseCli(['help', 'operations', 'watch']);
    expect(topic.kind === 'help' && topic.text).toContain('Usage: netpin operations watch <id>');
  });

  it.each([
    [['bogus'], /unknown command "bogus"/],
    [['vm'], /vm: missing subcommand \(create, delete, start, stop, reboot, migrate, nic, show, list\)/],
    [['vm', 'destroy'], /unknown command "vm destroy"; try: vm create, vm delete/],
    [['vm', 'nic'], /vm nic: missing subcommand \(attach, detach\)/],
    [['vm', 'nic', 'plug'], /unknown command "vm nic plug"; try: vm nic attach, vm nic detach/],
    [['vm', 'nic', 'detach', 'web-01'], /vm nic detach: missing <interface>/],
    [['vm', 'nic', 'attach', 'web-01', '--net', 'physnet0'], /vm nic attach: Unknown option '--net'/],
    [['hosts', 'show'], /hosts show: missing <host>/],
    [['hosts', 'list', 'extra'], /hosts list: unexpected argument "extra"/],
    [['hosts', 'list', '--bogus'], /hosts list: Unknown option '--bogus'/],
    [['vm', 'create', '--vcpus'], /vm create: Option '--vcpus <value>' argument missing/],
  ])('rejects %j as a usage error', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(UsageError);
    expect(() => parseCli(argv)).toThrow(message);
  });

  it('keeps the documented exit codes', () => {
    expect(EXIT).toEqual({ OK: 0, FAILED: 1, USAGE: 2, API: 3 });
  });
});

describe('VM flags', () => {
  it('builds the VmInput the API expects', () => {
    const parsed = command([
      'vm',
      'create',
      '--name',
      'web-01',
      '--vcpus',
      '4',
      '--memory',
      '4G',
      '--net',
      'physnet0:sriov',
      '--net',
      'tenant-ovs',
      '--numa',
      'preferred',
      '--hugepages',
      '1G',
      '--host',
      'hv-01',
      '--avoid',
      'hv-02',
      '--cpu-policy',
      'dedicated',
    ]);
    expect(vmInputFromFlags(parsed, { nameRequired: true })).toEqual({
      name: 'web-01',
      vcpus: 4,
      memoryMiB: 4096,
      interfaces: [{ network: 'physnet0', datapath: 'SRIOV' }, { network: 'tenant-ovs' }],
      numaPolicy: 'PREFERRED',
      hugepages: 'SIZE_1G',
      cpuPolicy: 'DEDICATED',
      pinHost: 'hv-01',
      avoidHosts: ['hv-02'],
    });
  });

  it('leaves ranges to the API but rejects what does not parse', () => {
    // vcpus 0 is syntactically a number: the API answers BAD_USER_INPUT naming the field
    const flags = (values: Record<string, string>) => ({ values, nets: [] });
    expect(vmInputFromFlags(flags({ name: 'a', vcpus: '0', memory: '1' }), { nameRequired: true }).vcpus).toBe(0);
    expect(() => vmInputFromFlags(flags({ name: 'a', vcpus: '2.5', memory: '1G' }), { nameRequired: true })).toThrow(
      '--vcpus: expected a whole number, got "2.5"',
    );
    expect(() => vmInputFromFlags(flags({ vcpus: '2', memory: '1G' }), { nameRequired: true })).toThrow('--name is required');
    expect(vmInputFromFlags(flags({ vcpus: '2', memory: '1G' }), { nameRequired: false }).name).toBe('preview');
    expect(() => vmInputFromFlags(flags({ name: 'a', vcpus: '2', memory: '1G', numa: 'strict' }), { nameRequired: true })).toThrow(
      '--numa: expected required|preferred|none, got "strict"',
    );
    expect(() =>
      vmInputFromFlags(flags({ name: 'a', vcpus: '2', memory: '1G', 'thread-policy': 'always' }), { nameRequired: true }),
    ).toThrow('--thread-policy: expected prefer|isolate|require, got "always"');
    expect(() => vmInputFromFlags(flags({ name: 'a', vcpus: '2', memory: '1G', hugepages: '4M' }), { nameRequired: true })).toThrow(
      '--hugepages: expected none|2M|1G, got "4M"',
    );
  });

  it.each([
    ['2048', 2048],
    ['512M', 512],
    ['512MiB', 512],
    ['4G', 4096],
    ['4gib', 4096],
    ['1.5G', 1536],
    ['1T', 1048576],
  ])('reads --memory %s as %i MiB', (raw, mib) => {
    expect(parseMemoryMiB(raw)).toBe(mib);
  });

  it('rejects unreadable memory sizes and datapaths', () => {
    expect(() => parseMemoryMiB('lots')).toThrow('--memory: expected MiB or a size like 512M or 4G, got "lots"');
    expect(() => parseMemoryMiB('1.3M')).toThrow('not a whole number of MiB');
    expect(parseNet('tenant-br:VHOST_BRIDGE')).toEqual({ network: 'tenant-br', datapath: 'VHOST_BRIDGE' });
    expect(parseNet('direct:macvtap')).toEqual({ network: 'direct', datapath: 'VHOST_MACVTAP' });
    expect(parseNet('tenant-dpdk:dpdk')).toEqual({ network: 'tenant-dpdk', datapath: 'VHOST_USER' });
    expect(() => parseNet('physnet0:warp')).toThrow('unknown datapath "warp"');
    expect(() => parseNet(':sriov')).toThrow('expected <network>[:<datapath>]');
  });
});

describe('NIC flags', () => {
  const base = ['vm', 'create', '--name', 'web-01', '--vcpus', '4', '--memory', '4G'];

  it('applies each NIC flag to the --net before it, across several --net', () => {
    const parsed = command([
      ...base,
      '--net',
      'physnet0:sriov',
      '--vlan',
      '100',
      '--mac',
      '52:54:00:12:34:56',
      '--live-migratable',
      '--net',
      'tenant-br',
      '--min-bandwidth',
      '2.5G',
      '--max-bandwidth',
      '5G',
      '--net',
      'direct:macvtap',
      '--vlan',
      '7',
    ]);
    expect(vmInputFromFlags(parsed, { nameRequired: true }).interfaces).toEqual([
      { network: 'physnet0', datapath: 'SRIOV', vlan: 100, mac: '52:54:00:12:34:56', liveMigratable: true },
      { network: 'tenant-br', minBandwidthMbps: 2500, maxBandwidthMbps: 5000 },
      { network: 'direct', datapath: 'VHOST_MACVTAP', vlan: 7 },
    ]);
  });

  it('refuses a NIC flag before any --net, twice for one --net, or that does not parse', () => {
    expect(() => parseCli([...base, '--vlan', '100', '--net', 'physnet0'])).toThrow(
      'vm create: --vlan applies to the --net before it; give --net <network> first',
    );
    expect(() => parseCli([...base, '--net', 'a', '--mac', '52:54:00:00:00:01', '--mac', '52:54:00:00:00:02'])).toThrow(
      'vm create: --mac given twice for --net a',
    );
    expect(() => vmInputFromFlags(command([...base, '--net', 'a', '--vlan', 'ten']), { nameRequired: true })).toThrow(
      '--vlan: expected a whole number, got "ten"',
    );
    // ranges are the API's: VLAN 5000 parses and the API answers BAD_USER_INPUT naming interfaces.0.vlan
    expect(vmInputFromFlags(command([...base, '--net', 'a', '--vlan', '5000']), { nameRequired: true }).interfaces).toEqual([
      { network: 'a', vlan: 5000 },
    ]);
  });

  it('takes the VM-wide CPU, emulator, hugepage and guest flags', () => {
    const parsed = command([
      ...base,
      '--thread-policy',
      'ISOLATE',
      '--emulator-threads',
      'isolate',
      '--hugepages',
      '2m',
      '--no-vf-driver',
      '--no-virtio',
    ]);
    expect(vmInputFromFlags(parsed, { nameRequired: true })).toEqual({
      name: 'web-01',
      vcpus: 4,
      memoryMiB: 4096,
      threadPolicy: 'ISOLATE',
      emulatorThreads: 'ISOLATE',
      hugepages: 'SIZE_2M',
      guestVirtio: false,
      guestVfDriver: false,
    });
  });

  it.each([
    ['1000', 1000],
    ['500M', 500],
    ['500Mbit', 500],
    ['10G', 10000],
    ['2.5Gbps', 2500],
    ['0', 0],
  ])('reads --min-bandwidth %s as %i Mbit/s', (raw, mbps) => {
    expect(parseBandwidthMbps(raw)).toBe(mbps);
  });

  it('rejects unreadable bandwidths', () => {
    expect(() => parseBandwidthMbps('fast')).toThrow('--min-bandwidth: expected Mbit/s or a rate like 500M or 10G, got "fast"');
    expect(() => parseBandwidthMbps('1.5M')).toThrow('not a whole number of Mbit/s');
    expect(() => parseBandwidthMbps('fast', 'max-bandwidth')).toThrow('--max-bandwidth: expected Mbit/s');
  });
});

describe('help from the command table', () => {
  it('lists every flag of every command, with its choices', () => {
    for (const c of COMMANDS) {
      const help = commandHelp(c);
      const all: Flags = { ...c.flags, ...GLOBAL_FLAGS };
      for (const [name, f] of Object.entries(all)) {
        expect(help, `${c.name} --${name}`).toContain(`--${name}`);
        for (const choice of f.choices ?? []) expect(help).toContain(choice);
      }
    }
    expect(commandHelp(COMMANDS.find((c) => c.name === 'vm create')!)).toContain('--thread-policy prefer|isolate|require');
  });

  it('checks the choices of a positional argument', () => {
    expect(command(['completion', 'zsh']).args).toEqual(['zsh']);
    expect(() => parseCli(['completion', 'fish'])).toThrow('completion: expected bash|zsh, got "fish"');
  });
});
