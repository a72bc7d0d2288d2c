import type { Operation } from '@netpin/client';
import { describe, expect, it } from 'vitest';
import { createProgress } from './progress';

const op = (state: Operation['state'], progress: number, step: string | null = null) =>
  ({ id: 'op-123456789abcdef', kind: 'vm.create', state, progress, step }) as Operation;

function sink(isTTY: boolean) {
  const s = { out: '', isTTY, columns: 120, write: (c: string) => ((s.out += c), true), on: () => s, removeListener: () => s };
  return s;
}

describe('createProgress', () => {
  it('writes one plain line per update when stderr is not a terminal', () => {
    const s = sink(false);
    const p = createProgress(s, { quiet: false, label: 'x' });
    p.update(op('QUEUED', 0));
    p.update(op('RUNNING', 40, 'apply domain'));
    p.stop();
    expect(s.out).toBe('vm.create op-123456789: QUEUED   0%\nvm.create op-123456789: RUNNING  40% apply domain\n');
  });

  it('draws a bar in place on a terminal and leaves the final frame', () => {
    const s = sink(true);
    const p = createProgress(s, { quiet: false, label: 'vm.create op-1234' });
    p.update(op('RUNNING', 10, 'apply'));
    p.update(op('SUCCEEDED', 100));
    p.stop();
    expect(s.out).toContain('vm.create op-1234 [');
    expect(s.out).toMatch(/\[=+\] 100% \| SUCCEEDED/);
    expect(s.out).not.toContain('\nvm.create');
    expect(s.out.endsWith('\n')).toBe(true);
  });

  it('says nothing when quiet (--json)', () => {
    const s = sink(true);
    const p = createProgress(s, { quiet: true, label: 'x' });
    p.update(op('RUNNING', 10));
    p.stop();
    expect(s.out).toBe('');
  });
});
