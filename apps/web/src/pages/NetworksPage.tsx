import { useState } from 'react';
import { ConfirmButton } from '../components/Confirm';
import { Empty, ErrorBox, Loading } from '../components/Status';
import {
  CreateNetworkDocument,
  DeleteNetworkDocument,
  HostNamesDocument,
  MapNetworkToNicDocument,
  NetworksDocument,
  UnmapNetworkFromNicDocument,
  type CreateNetworkInput,
  type NetworkFieldsFragment,
} from '@netpin/client/operations';
import { useMutation, useQuery } from '../lib/hooks';
import { NO_VLAN_EXTRA, VlanFields, vlanExtraInput, type VlanExtra } from './NetworkVlanFields';

type Kind = CreateNetworkInput['kind'];
type Mode = NonNullable<CreateNetworkInput['macvtapMode']>;
const KINDS: Kind[] = ['LINUX_BRIDGE', 'OVS_BRIDGE', 'MACVTAP', 'SRIOV_PHYSNET'];
const MODES: Mode[] = ['bridge', 'vepa', 'private', 'passthrough'];

type Field<T> = readonly [T, (value: T) => void];

/** The fields only some kinds have: a bridge name, a physnet, a macvtap mode. */
function KindFields({
  kind,
  bridge: [bridge, setBridge],
  physnet: [physnet, setPhysnet],
  mode: [mode, setMode],
}: {
  kind: Kind;
  bridge: Field<string>;
  physnet: Field<string>;
  mode: Field<Mode>;
}) {
  return (
    <>
      {(kind === 'LINUX_BRIDGE' || kind === 'OVS_BRIDGE') && (
        <label>
          Bridge
          <input value={bridge} onChange={(e) => setBridge(e.target.value)} placeholder="br0" data-testid="network-bridge" />
        </label>
      )}
      {kind === 'SRIOV_PHYSNET' && (
        <label>
          Physnet
          <input value={physnet} onChange={(e) => setPhysnet(e.target.value)} placeholder="physnet1" data-testid="network-physnet" />
        </label>
      )}
      {kind === 'MACVTAP' && (
        <label>
          macvtap mode
          <select value={mode} onChange={(e) => setMode(e.target.value as Mode)}>
            {MODES.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
      )}
    </>
  );
}

function CreateNetworkForm({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<Kind>('LINUX_BRIDGE');
  const [bridge, setBridge] = useState('');
  const [physnet, setPhysnet] = useState('');
  const [mode, setMode] = useState<Mode>('bridge');
  const [vlan, setVlan] = useState('');
  const [extra, setExtra] = useState<VlanExtra>(NO_VLAN_EXTRA);
  const [create, st] = useMutation(CreateNetworkDocument);
  const vlanBad = vlan.trim() !== '' && !(/^\d+$/.test(vlan.trim()) && Number(vlan) <= 4094);
  const more = vlanExtraInput(extra, vlan);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (vlanBad || more.error !== null || name.trim() === '') return;
    const input: CreateNetworkInput = { name: name.trim(), kind };
    if (kind === 'LINUX_BRIDGE' || kind === 'OVS_BRIDGE') input.bridge = bridge.trim() || null;
    if (kind === 'SRIOV_PHYSNET') input.physnet = physnet.trim() || null;
    if (kind === 'MACVTAP') input.macvtapMode = mode;
    if (vlan.trim() !== '') input.vlan = Number(vlan);
    Object.assign(input, more.input);
    if (await create({ input })) {
      setName('');
      onCreated();
    }
  };

  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="new-net-title" data-testid="create-network-form">
      <h2 id="new-net-title">New network</h2>
      <div className="form-row">
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required data-testid="network-name" />
        </label>
        <label>
          Kind
          <select value={kind} onChange={(e) => setKind(e.target.value as Kind)} data-testid="network-kind">
            {KINDS.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
        <KindFields kind={kind} bridge={[bridge, setBridge]} physnet={[physnet, setPhysnet]} mode={[mode, setMode]} />
        <label>
          VLAN
          <input
            value={vlan}
            onChange={(e) => setVlan(e.target.value)}
            inputMode="numeric"
            aria-invalid={vlanBad || undefined}
            data-testid="network-vlan"
          />
        </label>
        <VlanFields value={extra} onChange={setExtra} />
        <button
          type="submit"
          className="btn btn-primary"
          disabled={st.running || name.trim() === '' || vlanBad || more.error !== null}
          data-testid="network-create"
        >
          {st.running ? 'Creating…' : 'Create'}
        </button>
      </div>
      {vlanBad && <p className="field-error">VLAN must be between 0 and 4094</p>}
      {more.error && <p className="field-error">{more.error}</p>}
      {st.error && <ErrorBox error={st.error} title="Create failed" />}
    </form>
  );
}

function MapToNic({ network, onDone }: { network: NetworkFieldsFragment; onDone: () => void }) {
  const hosts = useQuery(HostNamesDocument, {});
  const [host, setHost] = useState('');
  const [nic, setNic] = useState('');
  const [map, st] = useMutation(MapNetworkToNicDocument);
  const nics = hosts.data?.hosts.nodes.find((h) => h.name === host)?.nics ?? [];
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (await map({ input: { network: network.name, host, nic } })) {
      setNic('');
      onDone();
    }
  };
  return (
    <form className="map-form" onSubmit={(e) => void submit(e)} aria-label={`Map ${network.name} to a NIC`}>
      <label>
        Host
        <select
          value={host}
          onChange={(e) => {
            setHost(e.target.value);
            setNic('');
          }}
          data-testid={`map-host-${network.name}`}
        >
          <option value="">(host)</option>
          {(hosts.data?.hosts.nodes ?? []).map((h) => (
            <option key={h.id}>{h.name}</option>
          ))}
        </select>
      </label>
      <label>
        NIC
        <select value={nic} onChange={(e) => setNic(e.target.value)} disabled={!host} data-testid={`map-nic-${network.name}`}>
          <option value="">(NIC)</option>
          {nics.map((n) => (
            <option key={n.id} value={n.name}>
              {n.name}
              {n.numaNode !== null ? ` (node ${n.numaNode})` : ''}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="btn btn-small" disabled={!host || !nic || st.running} data-testid={`map-submit-${network.name}`}>
        Map
      </button>
      {hosts.error && <ErrorBox error={hosts.error} title="Cannot load hosts" />}
      {st.error && <ErrorBox error={st.error} title="Mapping failed" />}
    </form>
  );
}

export function NetworksPage() {
  const q = useQuery(NetworksDocument, {});
  const [unmap, unmapSt] = useMutation(UnmapNetworkFromNicDocument);
  const [del, delSt] = useMutation(DeleteNetworkDocument);
  return (
    <section aria-labelledby="nets-title">
      <header className="page-head">
        <h1 id="nets-title">Networks</h1>
      </header>
      <CreateNetworkForm onCreated={q.refetch} />
      {unmapSt.error && <ErrorBox error={unmapSt.error} title="Unmap failed" />}
      {delSt.error && <ErrorBox error={delSt.error} title="Delete failed" />}
      {q.loading && !q.data && <Loading what="Loading networks" />}
      {q.error && <ErrorBox error={q.error} title="Cannot load networks" />}
      {q.data && q.data.networks.length === 0 && <Empty>No networks yet.</Empty>}
      <ul className="net-list">
        {(q.data?.networks ?? []).map((n) => (
          <li key={n.id} className="card" data-testid={`network-row-${n.name}`}>
            <div className="host-row-head">
              <strong>{n.name}</strong>
              <span className="badge">{n.kind}</span>
              <span className="muted">
                {n.bridge ? `bridge ${n.bridge}` : ''}
                {n.physnet ? `physnet ${n.physnet}` : ''}
                {n.macvtapMode ? `mode ${n.macvtapMode}` : ''}
                {n.vlan !== null ? ` · vlan ${n.vlan}${n.vlanProtocol === 'DOT1AD' ? ' (802.1ad)' : ''}` : ''}
                {n.trunkVlans.length > 0 ? ` · trunk ${n.trunkVlans.join(',')}` : ''}
                {n.nativeVlan !== null ? ` native ${n.nativeVlan}${n.nativeVlanMode === 'TAGGED' ? ' tagged' : ''}` : ''}
                {n.mtu !== null ? ` · mtu ${n.mtu}` : ''}
              </span>
              <span className="spacer" />
              <ConfirmButton
                label="Delete"
                question={`Delete network ${n.name}?`}
                busy={delSt.running}
                onConfirm={() => void del({ id: n.id }).then((r) => r && q.refetch())}
                testId={`delete-network-${n.name}`}
              />
            </div>
            {n.mappings.length === 0 ? (
              <p className="muted small">Not mapped to any NIC: VMs cannot use it yet.</p>
            ) : (
              <ul className="inline-list">
                {n.mappings.map((m) => (
                  <li key={m.nicId} className="mapping">
                    {m.hostName}/{m.nicName}{' '}
                    <button
                      type="button"
                      className="btn btn-small"
                      aria-label={`Unmap ${n.name} from ${m.hostName}/${m.nicName}`}
                      onClick={() =>
                        void unmap({ input: { network: n.name, host: m.hostName, nic: m.nicName } }).then((r) => r && q.refetch())
                      }
                    >
                      ×
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <MapToNic network={n} onDone={q.refetch} />
          </li>
        ))}
      </ul>
    </section>
  );
}
