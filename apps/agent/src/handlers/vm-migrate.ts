import { MIGRATION_STEPS, type VmMigratePayload, type VmMigrateResultData } from '@netpin/contracts';
import { virshDestroy } from '@netpin/host-ops';
import { AgentError, toAgentError } from '../errors';
import type { HostShell } from '../host-shell';
import { destroyIfRunning, shutdownAndWait, undefineOwnedDomain } from './domain-power';
import { readDomain } from './host-state';
import { isOurs } from './ownership';
import {
  assertNoForeignDomain,
  defineOn,
  liveMigrate,
  plugVfs,
  prepareHostSettings,
  removeMigrationXml,
  startOn,
  unplugVfs,
  verifyEnd,
} from './migration-steps';
import { releaseHost } from './host-release';
import type { HandlerContext, JobHandler } from './types';

/** How far a migration got: what a rollback has to undo. */
interface Progress {
  targetPrepared: boolean;
  sourceVfsUnplugged: boolean;
  sourceStopped: boolean;
  definedOnTarget: boolean;
  /** The domain runs on the target (LIVE: after the copy; COLD: after its start). */
  onTarget: boolean;
  released: boolean;
  transferMs: number;
}

/**
 * vm.migrate, run against the source (`host`) with the target's lock held too (both taken in
 * host id order, job-runner.ts). LIVE: reserve (target IRQ/RPS), unplug (failover VFs on the
 * source), transfer (`virsh migrate --live --p2p` on the source), plug (target VFs programmed
 * and hot-plugged), verify, release (the source's VFs, IRQ, RPS). COLD: reserve (target
 * IRQ/RPS/VFs), stop, transfer (define on the target), start, verify, release (undefine on the
 * source, its VFs, IRQ, RPS). A failure at any step but release rolls back (rollback.ts of the
 * steps done, in reverse): the VM runs on the source with its VFs plugged and the target has
 * nothing of it; the error keeps the failing step's command and stderr, and says what was undone.
 */
export const vmMigrateHandler: JobHandler<'vm.migrate'> = {
  mutating: true,
  peerHosts: (p) => [p.target],
  // a migration raises the VM's fence: a repair made before it must not touch either host
  vmFence: (p) => ({ vmId: p.vmId, generation: p.vmGeneration, advance: true }),
  stepCount: (p) => MIGRATION_STEPS[p.strategy].length,
  async run(p, ctx) {
    const src = ctx.shell;
    const dst = ctx.shellFor(p.target);
    const done: Progress = {
      targetPrepared: false,
      sourceVfsUnplugged: false,
      sourceStopped: false,
      definedOnTarget: false,
      onTarget: false,
      released: false,
      transferMs: 0,
    };
    try {
      if (p.strategy === 'LIVE') await forwardLive(p, ctx, src, dst, done);
      else await forwardCold(p, ctx, src, dst, done);
    } catch (e) {
      throw await abort(p, ctx, src, dst, done, toAgentError(e));
    }
    return result(p, ctx, done, 'target', []);
  },
};

function result(
  p: VmMigratePayload,
  ctx: HandlerContext,
  done: Progress,
  runningOn: VmMigrateResultData['runningOn'],
  rollback: string[],
): VmMigrateResultData {
  return { vmName: p.vmName, changed: ctx.steps.changed, strategy: p.strategy, transferMs: done.transferMs, runningOn, rollback };
}

async function forwardLive(p: VmMigratePayload, { steps }: HandlerContext, src: HostShell, dst: HostShell, done: Progress): Promise<void> {
  await steps.run('reserve', async () => {
    await assertNoForeignDomain(dst, p);
    done.targetPrepared = true;
    return prepareHostSettings(dst, p.vmId, p.dest, false);
  });
  await steps.run('unplug', async () => {
    done.sourceVfsUnplugged = p.source.failoverVfs.length > 0;
    return unplugVfs(src, p.vmName, p.source.failoverVfs);
  });
  await steps.run('transfer', async () => {
    const r = await liveMigrate(src, dst, p, { end: p.dest, uri: p.destUri }, (f) => steps.within(f));
    done.onTarget = true;
    done.transferMs = r.ms;
    return r.outcome;
  });
  await steps.run('plug', () => plugVfs(dst, p.vmName, p.dest));
  await steps.run('verify', () => verifyEnd(dst, p, p.dest));
  await steps.run('release', async () => {
    done.released = true;
    await undefineOwnedDomain(src, p.vmName, p.vmId);
    return releaseHost(src, p.source.release, p.vmId);
  });
}

async function forwardCold(p: VmMigratePayload, { steps }: HandlerContext, src: HostShell, dst: HostShell, done: Progress): Promise<void> {
  await steps.run('reserve', async () => {
    await assertNoForeignDomain(dst, p);
    done.targetPrepared = true;
    return prepareHostSettings(dst, p.vmId, p.dest, true);
  });
  await steps.run('stop', async () => {
    done.sourceStopped = true;
    const r = await shutdownAndWait(src, p.vmName, p.vmId, p.shutdownTimeoutMs);
    if (r === 'still running') await destroyIfRunning(src, p.vmName, p.vmId);
    return r === 'off' ? 'unchanged' : 'changed';
  });
  await steps.run('transfer', async () => {
    done.definedOnTarget = true;
    const started = performance.now();
    const outcome = await defineOn(dst, p, p.dest);
    done.transferMs = Math.round(performance.now() - started);
    return outcome;
  });
  await steps.run('start', async () => {
    const outcome = await startOn(dst, p);
    done.onTarget = true;
    return outcome;
  });
  await steps.run('verify', () => verifyEnd(dst, p, p.dest));
  await steps.run('release', async () => {
    done.released = true;
    await undefineOwnedDomain(src, p.vmName, p.vmId);
    return releaseHost(src, p.source.release, p.vmId);
  });
}

/**
 * A step failed: undo what was done, newest first, and answer the error the operation shows
 * (the failing step's, with what the rollback did). A job stopped by its fence or a lost lock
 * touches nothing more (another operation owns the VM or the host now).
 */
async function abort(
  p: VmMigratePayload,
  ctx: HandlerContext,
  src: HostShell,
  dst: HostShell,
  done: Progress,
  err: AgentError,
): Promise<AgentError> {
  if (err.code === 'STALE_JOB' || err.code === 'LOCK_LOST') return err;
  const step = ctx.steps.steps.at(-1)?.name ?? 'reserve';
  const details = { command: err.command, stderr: err.stderr, final: true };
  if (done.released) {
    // the VM runs on the target as planned; only the source's clean-up is incomplete
    return new AgentError(err.code, `release on the source failed after the move: ${err.message}`, {
      ...details,
      data: result(p, ctx, done, 'target', []),
    });
  }
  const undone: string[] = [];
  try {
    if (p.strategy === 'LIVE') await rollbackLive(p, src, dst, done, undone);
    else await rollbackCold(p, src, dst, done, undone);
    await releaseHost(dst, p.dest.release, p.vmId);
    undone.push('target released');
  } catch (e) {
    const r = toAgentError(e);
    ctx.log.error({ err: r.message, undone }, 'migration rollback failed');
    return new AgentError(
      err.code,
      `${step} failed: ${err.message}; the rollback failed too (${r.message}) after: ${undone.join(', ') || 'nothing'}`,
      {
        ...details,
        data: result(p, ctx, done, 'unknown', undone),
      },
    );
  }
  return new AgentError(
    err.code,
    `${step} failed: ${err.message}; rolled back (${undone.join(', ')}): ${p.vmName} runs on ${p.host.name}`,
    {
      ...details,
      data: result(p, ctx, done, 'source', undone),
    },
  );
}

async function rollbackLive(p: VmMigratePayload, src: HostShell, dst: HostShell, done: Progress, undone: string[]): Promise<void> {
  const there = await readDomain(dst, p.vmName);
  if (there.state === 'running' && isOurs(there, p.vmId)) {
    // the copy happened: the VM comes back the same way, its target VFs unplugged first
    await unplugVfs(dst, p.vmName, p.dest.failoverVfs);
    await liveMigrate(dst, src, p, { end: p.source, uri: p.sourceUri });
    undone.push('migrated back');
  }
  await removeMigrationXml(src, p.vmId).catch(() => undefined);
  if (await undefineOwnedDomain(dst, p.vmName, p.vmId).then((o) => o === 'changed')) undone.push('undefined on the target');
  if (done.sourceVfsUnplugged) {
    await plugVfs(src, p.vmName, p.source);
    undone.push('VFs re-plugged on the source');
  }
  await backOnSource(src, p, undone);
}

async function rollbackCold(p: VmMigratePayload, src: HostShell, dst: HostShell, done: Progress, undone: string[]): Promise<void> {
  const there = await readDomain(dst, p.vmName);
  if (there.state === 'running' && isOurs(there, p.vmId)) {
    await dst.run(virshDestroy(p.vmName));
    undone.push('stopped on the target');
  }
  if ((await undefineOwnedDomain(dst, p.vmName, p.vmId)) === 'changed') undone.push('undefined on the target');
  if (done.sourceStopped && (await startOn(src, p)) === 'changed') undone.push('started on the source');
  await backOnSource(src, p, undone);
}

/** The rollback's end: the VM runs on the source as its plan says (definition, VFs, IRQ affinity, RPS), read back. */
async function backOnSource(src: HostShell, p: VmMigratePayload, undone: string[]): Promise<void> {
  const dom = await readDomain(src, p.vmName);
  if (dom.state !== 'running' || !isOurs(dom, p.vmId))
    throw new AgentError('VERIFY_MISMATCH', `${p.vmName} is ${dom.state ?? 'not defined'} on the source after the rollback`);
  await verifyEnd(src, p, p.source);
  undone.push('source verified');
}
