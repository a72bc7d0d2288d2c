/**
 * What an orchestration tool does with netpin, end to end, through the typed client
 * (@netpin/client): register a hypervisor and discover it, ask where a VM would go, create it
 * with an idempotency key, follow its provisioning, then delete it. Copy it and adapt.
 *
 *   NETPIN_API_URL=http://127.0.0.1:3000 NETPIN_TOKEN=... \
 *   HOST_NAME=hv-07 HOST_ADDRESS=10.0.0.7 HOST_FINGERPRINT=SHA256:... \
 *   SWC_NODE_PROJECT=tsconfig.json node -r @swc-node/register docs/examples/orchestrate.ts
 *
 * Optional: HOST_PORT (22), HOST_USER (root), HOST_CREDENTIAL (file:id_ed25519, resolved by the
 * agent), VM_NAME, VM_NETWORK (tenant-br), IDEMPOTENCY_KEY.
 */
import { NetpinApiError, NetpinClient, OperationFailedError, type Host, type Operation, type VmInput } from '@netpin/client';
import WebSocket from 'ws';

function env(name: string, fallback?: string): string {
  const v = process.env[name] ?? fallback;
  if (v === undefined || v === '') throw new Error(`set ${name}`);
  return v;
}

/** One line per change: state, percentage and the agent's current step. */
function progress(label: string): (op: Operation) => void {
  return (op) => console.log(`  ${label}: ${op.state} ${op.progress}%${op.step ? ` (${op.step})` : ''}`);
}

/** Register the host, or reuse it when a host of that name is already in the inventory. */
async function registerOrReuse(client: NetpinClient): Promise<Host> {
  const name = env('HOST_NAME');
  try {
    return await client.registerHost({
      name,
      address: env('HOST_ADDRESS'),
      port: Number(env('HOST_PORT', '22')),
      sshUser: env('HOST_USER', 'root'),
      credentialRef: env('HOST_CREDENTIAL', 'file:id_ed25519'),
      hostKeyFingerprint: env('HOST_FINGERPRINT'),
    });
  } catch (e) {
    if (e instanceof NetpinApiError && e.code === 'CONFLICT') return client.getHost({ name });
    throw e;
  }
}

async function main(): Promise<void> {
  // Node 20 has no global WebSocket: hand the client `ws` for live progress (browsers pass nothing)
  const client = new NetpinClient({
    url: env('NETPIN_API_URL', 'http://127.0.0.1:3000'),
    token: env('NETPIN_TOKEN'),
    webSocketImpl: WebSocket,
  });
  try {
    let host = await registerOrReuse(client);
    console.log(`host ${host.name} registered (${host.id}), discovering over SSH`);
    const discovery = await client.discoverHost(host.id);
    await client.waitForOperation(discovery.id, { onProgress: progress('discover'), timeoutMs: 120_000 });
    host = await client.getHost({ id: host.id });
    const cpus = host.numaNodes.reduce((n, node) => n + node.cpus.length, 0);
    console.log(
      `host ${host.name} ${host.state}: ${host.numaNodes.length} NUMA node(s), ${cpus} CPUs, NICs ${host.nics.map((n) => `${n.name}@node${n.numaNode ?? '?'}`).join(' ')}`,
    );

    const vmName = env('VM_NAME', `example-${Date.now().toString(36)}`);
    const request: VmInput = {
      name: vmName,
      vcpus: 2,
      memoryMiB: 2048,
      numaPolicy: 'REQUIRED',
      interfaces: [{ network: env('VM_NETWORK', 'tenant-br') }],
    };

    // Ask first: previewPlacement writes nothing and says why nothing fits.
    const preview = await client.previewPlacement(request);
    if (!preview.fits) {
      console.error(`${vmName} does not fit: ${preview.rejection?.message}`);
      for (const r of preview.rejection?.summary ?? []) console.error(`  ${r.code}: ${r.hosts} host(s)`);
      process.exitCode = 1;
      return;
    }
    console.log(
      `${vmName} would go to ${preview.plan?.hostName} (NUMA ${preview.plan?.numaNodes.join(',')}, ${preview.plan?.interfaces.map((i) => i.datapath).join(',')})`,
    );

    // The idempotency key makes the create safe to retry (timeout, crash, redeploy):
    // the same key and input always answer with the same VM and operation.
    const idempotencyKey = env('IDEMPOTENCY_KEY', `orchestrate-${vmName}`);
    const { vm, operation } = await client.createVm(request, { idempotencyKey });
    const retry = await client.createVm(request, { idempotencyKey });
    console.log(`created ${vm.name} (${vm.id}); retry with the same key returned ${retry.vm.id === vm.id ? 'the same VM' : 'ANOTHER VM'}`);

    await client.waitForOperation(operation.id, { onProgress: progress('create'), timeoutMs: 300_000 });
    const running = await client.getVm(vm.id);
    const plan = running.plan;
    console.log(
      `${running.name} ${running.state} on ${plan?.hostName}: vCPUs ${plan?.vcpuPins.map((p) => `${p.vcpu}->${p.cpus.join('+')}`).join(' ')}, NICs ${plan?.interfaces.map((i) => `${i.networkName}=${i.datapath}`).join(' ')}`,
    );

    const teardown = await client.deleteVm(vm.id);
    await client.waitForOperation(teardown.id, { onProgress: progress('delete'), timeoutMs: 300_000 });
    console.log(`${running.name} ${(await client.getVm(vm.id)).state}`);
  } catch (e) {
    if (e instanceof OperationFailedError) {
      console.error(`operation ${e.operation.kind} failed: ${e.message} (${e.code})${e.stderr ? `\n${e.stderr}` : ''}`);
    } else if (e instanceof NetpinApiError) {
      console.error(`API refused: ${e.message} (${e.code}${e.field ? `, field ${e.field}` : ''})`);
    } else {
      throw e;
    }
    process.exitCode = 1;
  } finally {
    await client.close();
  }
}

void main();
