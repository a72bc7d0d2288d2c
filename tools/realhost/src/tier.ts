import { describe } from 'vitest';
import { localVirtType, realHostUnavailable } from './realhost';

/**
 * The real-host tier runs where it can and says so, in one line, where it cannot: a
 * skipped real tier must never look like a passed one.
 */
let announced = false;

export function describeRealHost(name: string, body: () => void): void {
  const why = realHostUnavailable();
  if (!announced) {
    announced = true;
    process.stdout.write(
      why === null
        ? `real-host tier: real libvirtd + QEMU in network namespaces; guests run under ${localVirtType() === 'kvm' ? 'KVM' : 'QEMU TCG (no /dev/kvm on this machine)'}\n`
        : `real-host tier SKIPPED: ${why}\n`,
    );
  }
  if (why === null) describe(name, body);
  else describe.skip(`${name} (skipped: ${why})`, body);
}
