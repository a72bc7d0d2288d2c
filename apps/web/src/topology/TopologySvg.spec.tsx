import { cleanup, fireEvent, render } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { hostFixture as host } from '../test/fixtures';
import type { TopologyMode } from './layout';
import { vmColours } from './roles';
import { TopologySvg } from './TopologySvg';

function Harness({ mode }: { mode?: TopologyMode }) {
  const [hl, setHl] = useState<string | null>(null);
  return <TopologySvg host={host} colours={vmColours(['vm-a', 'vm-b'])} mode={mode} highlightVm={hl} onHoverVm={setHl} />;
}

afterEach(cleanup);

const attrs = (els: Iterable<Element>, ...names: string[]) => [...els].map((e) => names.map((n) => e.getAttribute(n)));

describe('TopologySvg', () => {
  it('draws each CPU once with every role it plays, and only the configured VFs', () => {
    const { container } = render(<Harness />);
    expect(attrs(container.querySelectorAll('[data-cpu-id]'), 'data-cpu-id', 'data-roles', 'data-vm-id')).toEqual([
      ['0', 'host-reserved', null],
      ['1', 'vcpu', 'vm-a'],
      ['2', 'irq vhost', 'vm-a'],
      ['3', 'vcpu', 'vm-b'],
      ['4', 'free', null],
    ]);
    // the I/O CPU: filled as IRQ, a vhost mark in its corner, both roles written and named
    const io = container.querySelector('[data-cpu-id="2"]')!;
    expect(io.querySelectorAll('.role-mark.role-vhost')).toHaveLength(1);
    expect(io.querySelector('text')!.textContent).toBe('2 IH');
    expect(io.querySelector('title')!.textContent).toBe('CPU 2 (core 2, node 0): NIC IRQ of web-1, vhost of web-2');
    expect(attrs(container.querySelectorAll('[data-vf-index]'), 'data-vf-index', 'data-vf-state')).toEqual([
      ['0', 'allocated'],
      ['1', 'free'],
    ]);
    expect(container.querySelector('[data-vf-index="0"] title')!.textContent).toContain('MAC 52:54:00:00:00:0a');
  });

  it('hovering a VM lights every CPU it uses (its vhost on the I/O CPU too) and its VFs, and dims the rest', () => {
    const { container } = render(<Harness />);
    fireEvent.mouseEnter(container.querySelector('[data-cpu-id="3"]')!);
    const lit = () =>
      [...container.querySelectorAll('.lit')].map((e) => e.getAttribute('data-cpu-id') ?? `vf${e.getAttribute('data-vf-index')}`);
    expect(lit()).toEqual(['2', '3']);
    fireEvent.mouseLeave(container.querySelector('[data-cpu-id="3"]')!);
    fireEvent.mouseEnter(container.querySelector('[data-cpu-id="1"]')!);
    expect(lit()).toEqual(['1', '2', 'vf0']);
    expect(container.querySelector('[data-cpu-id="3"]')!.classList.contains('dim')).toBe(true);
    fireEvent.mouseLeave(container.querySelector('[data-cpu-id="1"]')!);
    expect(container.querySelectorAll('.lit, .dim')).toHaveLength(0);
  });

  it('compact mode writes no ids in the cells but the CPU list beside each row', () => {
    const { container } = render(<Harness mode="compact" />);
    expect(container.querySelectorAll('[data-cpu-id] text')).toHaveLength(0);
    expect([...container.querySelectorAll('.topo-row-label')].map((t) => t.textContent)).toEqual(['0-4']);
  });
});
