import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from './support/cluster';

let c: Cluster;

beforeAll(async () => {
  c = await startCluster({ profiles: ['dual-socket-sriov'], namePrefix: 'drift' });
}, 180_000);
afterAll(async () => {
  await c?.stop();
});

describe('drift detection and repair', () => {
  it('finds IRQ affinity moved by irqbalance, records it, and repairs it', async () => {
    const created = await c.client.request<{
      createVm: { vm: { id: string; hostId: string; plan: { irqAffinity: { irq: number; cpus: number[] }[] } }; operation: { id: string } };
    }>(
      `mutation { createVm(input: { name: "drifty", pinHost: "drift-01", vcpus: 2, memoryMiB: 1024, interfaces: [{ network: "physnet0" }] }) { vm { id hostId plan { irqAffinity { irq cpus } } } operation { id } } }`,
    );
    expect((await c.client.waitForOperation(created.createVm.operation.id)).state).toBe('SUCCEEDED');
    const { vm } = created.createVm;
    expect(vm.plan.irqAffinity.length).toBeGreaterThan(0);

    const host = c.fleet.hosts[0];
    host.startIrqbalance(20);
    await new Promise((r) => setTimeout(r, 300));
    host.stopIrqbalance();
    const moved = vm.plan.irqAffinity.filter(
      (p) => JSON.stringify(host.state().irqs.find((i) => i.irq === p.irq)?.affinity) !== JSON.stringify(p.cpus),
    );
    expect(moved.length).toBeGreaterThan(0);

    const { checkDrift } = await c.client.request<{ checkDrift: { id: string }[] }>(
      `mutation ($h: ID!) { checkDrift(hostId: $h) { id } }`,
      { h: vm.hostId },
    );
    expect(checkDrift).toHaveLength(1);
    await c.client.waitForOperation(checkDrift[0].id);
    await c.client.waitIdle();

    const { driftEvents } = await c.client.request<{ driftEvents: { field: string; vmId: string; repairedAt: string | null }[] }>(
      `query ($h: ID!) { driftEvents(hostId: $h) { field vmId repairedAt } }`,
      { h: vm.hostId },
    );
    const irqEvents = driftEvents.filter((e) => e.field.startsWith('irq'));
    expect(irqEvents.length).toBeGreaterThanOrEqual(moved.length);
    expect(irqEvents.every((e) => e.vmId === vm.id && e.repairedAt !== null)).toBe(true);
    for (const p of vm.plan.irqAffinity) expect(host.state().irqs.find((i) => i.irq === p.irq)?.affinity).toEqual(p.cpus);

    const rest = await c.api.rest('GET', `/api/v1/hosts/${vm.hostId}/drift?open=true`);
    expect(rest.status).toBe(200);
    expect(rest.body).toEqual([]);
  });
});
