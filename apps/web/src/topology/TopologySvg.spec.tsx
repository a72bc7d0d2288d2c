import { cleanup, fireEvent, render } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { hostFixture as host } from '../test/fixtures';
import { vmColours } from './roles';
import { TopologySvg } from './TopologySvg';

function Harness() {
  const [hl, setHl] = useState<string | null>(null);
  return (
    <TopologySvg
      host={host}
      colours={vmColours(['vm-a', 'vm-b'])}
      vmNames={new Map([['vm-a', 'web-1']])}
      highlightVm={hl}
      onHoverVm={setHl}
    />
  );
}

afterEach(cleanup);

describe('TopologySvg', () => {
  it('draws each CPU once with its role, and VF slots with their state', () => {
    const { container } = render(<Harness />);
    const cells = [...container.querySelectorAll('[data-cpu-id]')];
    expect(cells.map((c) => [c.getAttribute('data-cpu-id'), c.getAttribute('data-role')])).toEqual([
      ['0', 'host-reserved'],
      ['1', 'vcpu'],
      ['2', 'irq'],
      ['3', 'vcpu'],
      ['4', 'free'],
    ]);
    expect([...container.querySelectorAll('[data-vf-index]')].map((v) => v.getAttribute('data-vf-state'))).toEqual([
      'allocated',
      'free',
      'unconfigured',
      'unconfigured',
    ]);
  });

  it('hovering a VM CPU lights all its CPUs and VFs and dims the rest', () => {
    const { container } = render(<Harness />);
    fireEvent.mouseEnter(container.querySelector('[data-cpu-id="1"]')!);
    const lit = [...container.querySelectorAll('.lit')].map((e) => e.getAttribute('data-cpu-id') ?? `vf${e.getAttribute('data-vf-index')}`);
    expect(lit).toEqual(['1', '2', 'vf0']);
    expect(container.querySelector('[data-cpu-id="3"]')!.classList.contains('dim')).toBe(true);
    fireEvent.mouseLeave(container.querySelector('[data-cpu-id="1"]')!);
    expect(container.querySelectorAll('.lit, .dim')).toHaveLength(0);
  });
});
