import { describeInterface, type Vm } from '@netpin/client';
import { UsageError } from './args';

type VmInterface = Vm['interfaces'][number];

/** `nic 2 physnet0: SRIOV (VF 3 of ens1f0 passed through, ...) mac 52:54:00:.. vlan 10`, by name from the VM's plan. */
export function formatNic(vm: Vm, index: number): string {
  const planned = vm.plan?.interfaces.find((i) => i.index === index);
  const row = vm.interfaces.find((i) => i.index === index);
  if (!planned) return `nic ${index}${row?.mac ? ` mac ${row.mac}` : ''}`;
  const vlan = planned.vlan === null ? '' : ` vlan ${planned.vlan}`;
  return `nic ${index} ${planned.networkName}: ${planned.datapath} (${describeInterface(planned)}) mac ${planned.mac}${vlan}`;
}

/** The interface index the VM has now and did not have before (the one an attach added), or null. */
export function addedIndex(before: Vm, after: Vm): number | null {
  const had = new Set(before.interfaces.map((i) => i.index));
  return after.interfaces.find((i) => !had.has(i.index))?.index ?? null;
}

/**
 * The interface `vm nic detach` names: its id (what the API's detachInterface takes) or its
 * MAC (any case). Refused naming the argument, with the VM's interfaces, when it has no such one.
 */
export function findInterface(vm: Vm, key: string): VmInterface {
  const k = key.trim().toLowerCase();
  const found = vm.interfaces.find((i) => i.id.toLowerCase() === k || (i.mac ?? '').toLowerCase() === k);
  if (found) return found;
  const have = vm.interfaces.map((i) => `${i.mac ?? '?'} (${i.id})`).join(', ') || 'none';
  throw new UsageError(`<interface>: vm ${vm.name} has no interface with id or MAC "${key}" (it has: ${have})`);
}
