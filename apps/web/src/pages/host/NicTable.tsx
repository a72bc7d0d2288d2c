import { describeState, formatCpuList, irqGroupNumbers, irqGroups, sourceWord, type IrqGroup } from '@netpin/client/display';
import type { HostDetailQuery } from '@netpin/client/operations';
import { formatShortTime, formatTime } from '../../lib/format';

type Nic = HostDetailQuery['host']['nics'][number];

/** Where the shown CPUs come from; an applied value also names what discovery had read before. */
function irqStateTitle(g: IrqGroup<Nic['irqs'][number]>): string {
  const state = describeState(g.first.state, formatTime);
  if (g.first.state.source === 'DISCOVERED') return state;
  return `${state}; the last discovery read ${formatCpuList(g.members.flatMap((m) => m.discoveredAffinity)) || 'nothing'}`;
}

function IrqList({ nic, highlight }: { nic: Nic; highlight: string | null }) {
  return (
    <ul className="irq-list">
      {irqGroups(nic.irqs).map((g) => {
        const n = irqGroupNumbers(g);
        const owner = g.first.ownerVmId;
        const lit = highlight === null ? '' : owner === highlight ? 'lit' : 'dim';
        return (
          <li
            key={g.first.irq}
            className={lit}
            data-irq={g.first.irq}
            data-irq-count={g.members.length}
            data-vm-id={owner ?? undefined}
            data-source={g.first.state.source}
          >
            <code>{n.irqs}</code> <span className="muted">{n.queues}</span> → {formatCpuList(g.cpus) || 'none'}
            {g.first.ownerVmName && <strong> ({g.first.ownerVmName})</strong>}
            <span className="muted small" title={irqStateTitle(g)}>
              {' '}
              · {sourceWord(g.first.state.source)} {formatShortTime(g.first.state.at)}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

function VfSummary({ nic }: { nic: Nic }) {
  if (nic.sriovTotalVfs === 0) return <span className="muted">no SR-IOV</span>;
  const held = nic.vfs.filter((v) => v.allocatedToVmId);
  return (
    <>
      <span data-testid={`vfs-${nic.name}`}>
        {nic.vfCounts.configured} configured <span className="muted">(max {nic.sriovTotalVfs})</span> · {nic.vfCounts.free} free
      </span>
      {held.length > 0 && (
        <ul className="vf-list">
          {held.map((vf) => (
            <li key={vf.index} data-vf={vf.index}>
              VF {vf.index} → {vf.allocatedToVmName ?? vf.allocatedToVmId} <code>{vf.mac ?? '—'}</code>
              {vf.vlan ? ` vlan ${vf.vlan}` : ''}{' '}
              <span className="muted small" title={describeState(vf.state, formatTime)}>
                · {sourceWord(vf.state.source)} {formatShortTime(vf.state.at)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** NICs with queues, VFs and their IRQs grouped by target (the owner is the one the picture shows). */
export function NicTable({ nics, highlight }: { nics: readonly Nic[]; highlight: string | null }) {
  if (nics.length === 0) return <p className="muted">No NICs discovered.</p>;
  return (
    <div className="table-scroll">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">NIC</th>
            <th scope="col">PCI</th>
            <th scope="col">Node</th>
            <th scope="col">Queues</th>
            <th scope="col">VFs</th>
            <th scope="col">IRQs → CPUs (owner)</th>
          </tr>
        </thead>
        <tbody>
          {nics.map((nic) => (
            <tr key={nic.id} data-testid={`nic-row-${nic.name}`}>
              <th scope="row">
                {nic.name}{' '}
                <span className="muted">
                  {nic.driver ?? ''} {nic.speedMbps ? `${nic.speedMbps / 1000} Gb/s` : ''} {nic.linkState}
                </span>
              </th>
              <td>
                <code>{nic.pciAddress}</code>
              </td>
              <td>{nic.numaNode ?? '?'}</td>
              <td>
                {nic.combinedQueues}/{nic.maxCombinedQueues}
              </td>
              <td>
                <VfSummary nic={nic} />
              </td>
              <td>
                <IrqList nic={nic} highlight={highlight} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
