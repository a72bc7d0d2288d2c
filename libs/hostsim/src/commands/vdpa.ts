import type { HostModel, VdpaDeviceState } from '../model';
import { type CommandHandler, type CommandResult, fail, ok } from './types';

/**
 * iproute2's `vdpa` as iproute2 6.1 (vdpa/vdpa.c) and the kernel's vdpa netlink
 * (drivers/vdpa/vdpa.c) behave: `-j` JSON sections keyed by handle, `dev add` refusing a
 * taken name (EEXIST) or an unknown management device (ENODEV), `dev del`/`dev show NAME` of
 * an unknown device (ENODEV). A host without spec.vdpa answers as a kernel without the vdpa
 * family does ("Failed to connect to vdpa Netlink", exit 1; compared with the real tool on
 * this project's CI kernel). A new device binds to vhost_vdpa when it is loaded and gets the
 * lowest free minor, as vhost_vdpa's IDA gives.
 */
export const vdpa: CommandHandler = (args, ctx) => {
  const m = ctx.model;
  if (m.spec.vdpa === null) return fail(1, 'Failed to connect to vdpa Netlink');
  const json = args[0] === '-j';
  const rest = json ? args.slice(1) : args;
  const [obj, verb, ...more] = rest;
  if (obj === 'mgmtdev' && (verb === 'show' || verb === undefined)) return mgmtdevShow(m, json);
  if (obj === 'dev' && (verb === 'show' || verb === undefined)) return devShow(m, json, more[0]);
  if (obj === 'dev' && verb === 'add') return devAdd(m, more);
  if (obj === 'dev' && verb === 'del') return devDel(m, more[0]);
  return fail(1, `Command "${verb ?? obj ?? ''}" not found`);
};

const kernel = (text: string): CommandResult => fail(1, `kernel answers: ${text}`);

function mgmtdevShow(m: HostModel, json: boolean): CommandResult {
  const devs = m.vdpaMgmtdevs();
  if (json) {
    const body = devs.map((d) => `${JSON.stringify(d)}:{"supported_classes":["net"],"max_supported_vqs":65}`).join(',');
    return ok(`{"mgmtdev":{${body}}}\n`);
  }
  return ok(devs.map((d) => `${d}: \n  supported_classes net\n`).join(''));
}

function devJson(d: VdpaDeviceState): string {
  const vqs = 2 * (d.maxVqp ?? 1) + 1;
  return `${JSON.stringify(d.name)}:{"type":"network","mgmtdev":${JSON.stringify(d.mgmtdev)},"vendor_id":5555,"max_vqs":${vqs},"max_vq_size":256}`;
}

function devShow(m: HostModel, json: boolean, name: string | undefined): CommandResult {
  const list = name === undefined ? m.vdpaDevices : m.vdpaDevices.filter((d) => d.name === name);
  if (name !== undefined && list.length === 0) return kernel('No such device');
  if (json) return ok(`{"dev":{${list.map(devJson).join(',')}}}\n`);
  return ok(
    list
      .map((d) => `${d.name}: type network mgmtdev ${d.mgmtdev} vendor_id 5555 max_vqs ${2 * (d.maxVqp ?? 1) + 1} max_vq_size 256\n`)
      .join(''),
  );
}

function devAdd(m: HostModel, args: string[]): CommandResult {
  const opts = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    if (args[i + 1] === undefined) return fail(1, 'String parameter expected');
    if (!['name', 'mgmtdev', 'mac', 'mtu', 'max_vqp'].includes(args[i])) return fail(1, `Unknown option "${args[i]}"`);
    opts.set(args[i], args[i + 1]);
  }
  const name = opts.get('name');
  const mgmtdev = opts.get('mgmtdev');
  if (mgmtdev === undefined) return fail(1, 'management device handle not set.');
  if (name === undefined) return fail(1, 'device name is not set.');
  if (!m.vdpaMgmtdevs().includes(mgmtdev)) return kernel('No such device');
  if (m.vdpaDevices.some((d) => d.name === name)) return kernel('File exists');
  // one vdpa device per VF management device (mlx5_vdpa: "mlx5_vdpa_dev_add: ... already exists" -EEXIST)
  if (m.vdpaDevices.some((d) => d.mgmtdev === mgmtdev)) return kernel('File exists');
  const num = (k: string): number | null => (opts.has(k) ? Number(opts.get(k)) : null);
  const used = new Set(m.vdpaDevices.map((d) => d.minor));
  let minor = 0;
  while (used.has(minor)) minor++;
  m.vdpaDevices.push({
    name,
    mgmtdev,
    mac: opts.get('mac') ?? null,
    maxVqp: num('max_vqp'),
    mtu: num('mtu'),
    minor: m.spec.vdpa?.vhostVdpa ? minor : null,
  });
  return ok();
}

function devDel(m: HostModel, name: string | undefined): CommandResult {
  if (name === undefined) return fail(1, 'String parameter expected');
  const k = m.vdpaDevices.findIndex((d) => d.name === name);
  if (k < 0) return kernel('No such device');
  m.vdpaDevices.splice(k, 1);
  return ok();
}
