import type { HostReason } from '@netpin/contracts';
import { groupRule } from './groups';
import type { HostRt } from './host-state';
import type { PreparedRequest } from './request';

/** Host filters: pure, cheap, each names its reason (docs/placement.md, "Filters and weighers"). */
export type HostFilter = (h: HostRt, prep: PreparedRequest) => HostReason | null;

const pinFilter: HostFilter = (h, p) =>
  p.req.pinHost !== undefined && p.req.pinHost !== h.host.id && p.req.pinHost !== h.host.name
    ? { code: 'HOST_NOT_REQUESTED', detail: `request pins ${p.req.pinHost}` }
    : null;
const avoidFilter: HostFilter = (h, p) =>
  p.avoid.has(h.host.id) || p.avoid.has(h.host.name) ? { code: 'HOST_AVOIDED', detail: `${h.host.name} is in avoidHosts` } : null;
export const hostStateFilter: HostFilter = (h) => {
  switch (h.host.state) {
    case 'READY':
      return null;
    case 'MAINTENANCE':
      return { code: 'HOST_IN_MAINTENANCE', detail: `${h.host.name} is in maintenance` };
    case 'UNREACHABLE':
      return { code: 'HOST_UNREACHABLE', detail: `${h.host.name} is unreachable` };
    case 'REGISTERED':
    case 'DISCOVERING':
      return { code: 'HOST_NOT_READY', detail: `${h.host.name} is ${h.host.state}` };
  }
};
// A host set to virtType QEMU emulates its guests (TCG) and needs no /dev/kvm. A KVM host
// needs /dev/kvm, which is what libvirt's kvm domain type opens; the CPU's vmx/svm flag is
// not required: KVM can run without it (e.g. kvm_pvm in a cloud guest), and a host whose
// flag is set but whose kvm module is not loaded has no /dev/kvm.
const virtFilter: HostFilter = (h) =>
  h.host.virtType === 'QEMU' || h.host.capabilities.kvm
    ? null
    : { code: 'HOST_LACKS_VIRTUALIZATION', detail: `${h.host.name} has no /dev/kvm (virtType KVM)` };

const groupFilter: HostFilter = (h, p) => groupRule(h, p.group);

export const HOST_FILTERS: readonly HostFilter[] = [pinFilter, avoidFilter, hostStateFilter, virtFilter, groupFilter];
