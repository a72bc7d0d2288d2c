import { useMemo, useState } from 'react';
import { HostDetailDocument } from '@netpin/client/operations';
import { ErrorBox, Loading } from '../../components/Status';
import { useQuery } from '../../lib/hooks';
import { vmColours } from '../../topology/roles';
import { HostDrift } from '../HostDrift';
import { HostHeader } from './HostHeader';
import { NicTable } from './NicTable';
import { TopologyPanel } from './TopologyPanel';

/** One host: its CPUs, NICs and IRQs as the plans of its VMs left them, and its drift. */
export function HostPage({ name }: { name: string }) {
  const q = useQuery(HostDetailDocument, { name });
  const [highlight, setHighlight] = useState<string | null>(null);
  const host = q.data?.host;
  const colours = useMemo(() => vmColours((host?.vms ?? []).map((v) => v.id)), [host]);

  if (q.loading && !q.data) return <Loading what={`Loading host ${name}`} />;
  if (q.error && !host) return <ErrorBox error={q.error} title={`Cannot load host ${name}`} />;
  if (!host) return null;
  return (
    <section aria-labelledby="host-title" data-testid="host-page">
      <HostHeader host={host} onChanged={q.refetch} />
      <TopologyPanel host={host} colours={colours} highlight={highlight} setHighlight={setHighlight} />
      <h2>NICs and IRQs</h2>
      <NicTable nics={host.nics} highlight={highlight} />
      <HostDrift hostId={host.id} />
    </section>
  );
}
