import { describeState, sourceWord } from '@netpin/client/display';
import type { HostDetailQuery } from '@netpin/client/operations';
import { formatShortTime, formatTime } from '../../lib/format';
import { ROLE_LABELS, ROLE_ORDER, roleCounts, type CpuForRole } from '../../topology/roles';

type Host = HostDetailQuery['host'];

function VmButton({
  vm,
  colour,
  highlight,
  setHighlight,
}: {
  vm: Host['vms'][number];
  colour: string | undefined;
  highlight: string | null;
  setHighlight: (vmId: string | null) => void;
}) {
  return (
    <button
      type="button"
      className={`legend-vm${highlight === vm.id ? ' active' : ''}`}
      data-testid={`legend-vm-${vm.id}`}
      data-plan-source={vm.planState.source}
      onMouseEnter={() => setHighlight(vm.id)}
      onMouseLeave={() => setHighlight(null)}
      onFocus={() => setHighlight(vm.id)}
      onBlur={() => setHighlight(null)}
      aria-pressed={highlight === vm.id}
      title={`${vm.name} (${vm.state}): plan ${describeState(vm.planState, formatTime)}`}
    >
      <span className="swatch" style={{ background: colour }} aria-hidden="true" />
      <span className="legend-vm-name">
        {vm.name}
        <span className="muted small">
          {sourceWord(vm.planState.source)} {vm.planState.at ? formatShortTime(vm.planState.at) : ''}
        </span>
      </span>
    </button>
  );
}

/** Roles with how many CPUs play them (a CPU with two roles counts twice), and the VMs placed here. */
export function HostLegend({
  host,
  cpus,
  colours,
  highlight,
  setHighlight,
}: {
  host: Host;
  cpus: readonly CpuForRole[];
  colours: Map<string, string>;
  highlight: string | null;
  setHighlight: (vmId: string | null) => void;
}) {
  const counts = roleCounts(cpus);
  return (
    <aside className="topo-legend" aria-label="Legend">
      <h2>CPU roles</h2>
      <ul className="legend-roles">
        {ROLE_ORDER.map((r) => (
          <li key={r} data-testid={`legend-role-${r}`}>
            <span className={`swatch role-${r}`} aria-hidden="true" /> {ROLE_LABELS[r]}{' '}
            <span className="muted">({counts.get(r) ?? 0})</span>
          </li>
        ))}
      </ul>
      <p className="muted small">A corner mark shows a further role of the CPU; the bottom band the VM it is accounted to.</p>
      <h2>VMs on this host</h2>
      {host.vms.length === 0 ? (
        <p className="muted">None</p>
      ) : (
        <ul className="legend-vms">
          {host.vms.map((vm) => (
            <li key={vm.id}>
              <VmButton vm={vm} colour={colours.get(vm.id)} highlight={highlight} setHighlight={setHighlight} />
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
