import type { ReasonCode, ThreadPolicy } from '@netpin/contracts';
import type { HostRt, NodeRt } from './host-state';

/**
 * CPU choice inside one NUMA node. Positions index HostRt arrays. All choices walk cores
 * in ascending CPU id order, so equal inputs give equal outputs (determinism).
 */
export interface VcpuChoice {
  /** One position per vCPU, in vCPU order. */
  vcpus: number[];
  /** Siblings held idle for threadPolicy ISOLATE. */
  isolation: number[];
}

type Taken = Set<number>;

function freeThreads(h: HostRt, core: number[], taken: Taken): number[] {
  return core.filter((p) => h.isFree(p) && !taken.has(p));
}

/** Choose `k` dedicated vCPU threads under a thread policy, or say why not. */
export function selectVcpus(h: HostRt, node: NodeRt, k: number, policy: ThreadPolicy, taken: Taken): VcpuChoice | ReasonCode {
  switch (policy) {
    case 'ISOLATE': {
      const cores = node.cores.filter((c) => freeThreads(h, c, taken).length === c.length && c.length > 0);
      if (cores.length < k) return 'INSUFFICIENT_ISOLATED_CORES';
      const chosen = cores.slice(0, k);
      return { vcpus: chosen.map((c) => c[0]), isolation: chosen.flatMap((c) => c.slice(1)) };
    }
    case 'REQUIRE': {
      if (h.threadsPerCore < 2) return 'THREAD_POLICY_NEEDS_SMT';
      const pairs = Math.floor(k / 2);
      const out: number[] = [];
      const used = new Set<number>();
      for (const c of node.cores) {
        if (out.length >= pairs * 2) break;
        const f = freeThreads(h, c, taken);
        for (let i = 0; i + 1 < f.length && out.length < pairs * 2; i += 2) {
          out.push(f[i], f[i + 1]);
          used.add(f[i]).add(f[i + 1]);
        }
      }
      if (out.length < pairs * 2) return 'INSUFFICIENT_SIBLING_PAIRS';
      if (k % 2 === 1) {
        const single = pickSingle(h, node, new Set([...taken, ...used]));
        if (single === null) return 'INSUFFICIENT_SIBLING_PAIRS';
        out.push(single);
      }
      return { vcpus: out, isolation: [] };
    }
    case 'PREFER': {
      const T = h.threadsPerCore;
      const whole = Math.floor(k / T);
      const out: number[] = [];
      const used = new Set<number>(taken);
      // Whole free cores first, so the VM's vCPUs are each other's siblings...
      for (const c of node.cores) {
        if (out.length >= whole * T) break;
        const f = freeThreads(h, c, used);
        if (f.length === c.length && c.length === T) {
          out.push(...f);
          f.forEach((p) => used.add(p));
        }
      }
      // ...then the remainder from half-used cores, which keeps whole cores for others.
      while (out.length < k) {
        const p = pickSingle(h, node, used);
        if (p === null) return 'INSUFFICIENT_DEDICATED_CPUS';
        out.push(p);
        used.add(p);
      }
      return { vcpus: out, isolation: [] };
    }
  }
}

/** One thread, preferring a core that is already partly used (lowest id first). */
export function pickSingle(h: HostRt, node: NodeRt, taken: Taken): number | null {
  let fallback: number | null = null;
  for (const c of node.cores) {
    const f = freeThreads(h, c, taken);
    if (f.length === 0) continue;
    if (f.length < c.length) return f[0];
    if (fallback === null) fallback = f[0];
  }
  return fallback;
}

/** I/O CPUs: a whole free core from the top of the node if possible, away from vCPUs that fill from the bottom. */
export function selectIo(h: HostRt, node: NodeRt, m: number, taken: Taken): number[] | null {
  if (m <= 0) return null;
  for (let i = node.cores.length - 1; i >= 0; i--) {
    const c = node.cores[i];
    const f = freeThreads(h, c, taken);
    if (f.length === c.length && f.length >= m) return f.slice(0, m);
  }
  const out: number[] = [];
  for (let i = node.cpus.length - 1; i >= 0 && out.length < m; i--) {
    const p = node.cpus[i];
    if (h.isFree(p) && !taken.has(p)) out.push(p);
  }
  return out.length === m ? out.sort((a, b) => a - b) : null;
}

/** I/O set size on a node: ioCpusPerNode, bounded by the share cap (at least 1 unless the share is 0). */
export function ioSetSize(node: NodeRt, perNode: number, share: number): number {
  if (share <= 0 || perNode <= 0) return 0;
  return Math.max(1, Math.min(perNode, Math.floor(share * node.usable)));
}
