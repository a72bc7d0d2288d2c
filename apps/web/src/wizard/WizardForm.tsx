import { useState } from 'react';
import {
  CPU_POLICY_CHOICES,
  DATAPATH_CHOICES,
  EMULATOR_CHOICES,
  emptyInterface,
  HUGEPAGE_CHOICES,
  NUMA_POLICY_CHOICES,
  THREAD_POLICY_CHOICES,
  type FormErrors,
  type InterfaceForm,
  type VmForm,
} from './form';

export interface WizardFormProps {
  form: VmForm;
  onChange: (form: VmForm) => void;
  errors: FormErrors;
  /** Show every error, not only those of fields the user has left (after a submit attempt) */
  showAllErrors: boolean;
  networks: readonly string[];
  hosts: readonly string[];
}

const DATAPATH_HELP: Record<string, string> = {
  AUTO: 'let placement choose the fastest datapath that fits',
  SRIOV: 'VF passthrough: lowest cost, no live migration',
  VHOST_MACVTAP: 'vhost-net on macvtap',
  VHOST_BRIDGE: 'vhost-net on a Linux bridge',
  VHOST_OVS: 'vhost-net on Open vSwitch',
  VIRTIO_USERSPACE: 'virtio in QEMU user space',
  E1000: 'emulated e1000: any guest, many exits',
  RTL8139: 'emulated rtl8139: legacy guests',
};

function id(path: string): string {
  return `vm-${path.replace(/\./g, '-')}`;
}

export function WizardForm({ form, onChange, errors, showAllErrors, networks, hosts }: WizardFormProps) {
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const touch = (path: string) => setTouched((t) => (t.has(path) ? t : new Set(t).add(path)));
  const errorFor = (path: string): string | undefined => (showAllErrors || touched.has(path) ? errors[path] : undefined);
  const describedBy = (path: string) => (errorFor(path) ? `${id(path)}-error` : undefined);
  const err = (path: string) => {
    const e = errorFor(path);
    return e ? (
      <span className="field-error" id={`${id(path)}-error`} role="alert" data-testid={`error-${path}`}>
        {e}
      </span>
    ) : null;
  };
  const set = <K extends keyof VmForm>(key: K, value: VmForm[K]) => onChange({ ...form, [key]: value });
  const setIface = (i: number, patch: Partial<InterfaceForm>) =>
    onChange({ ...form, interfaces: form.interfaces.map((f, k) => (k === i ? { ...f, ...patch } : f)) });

  const text = (
    path: 'name' | 'vcpus' | 'memoryMiB',
    label: string,
    type: 'text' | 'number' = 'text',
    extra: { min?: number; step?: number } = {},
  ) => (
    <div className="field">
      <label htmlFor={id(path)}>{label}</label>
      <input
        id={id(path)}
        type={type}
        value={form[path]}
        {...extra}
        aria-invalid={errorFor(path) ? true : undefined}
        aria-describedby={describedBy(path)}
        onChange={(e) => set(path, e.target.value)}
        onBlur={() => touch(path)}
        data-testid={`field-${path}`}
      />
      {err(path)}
    </div>
  );

  const select = <K extends 'hugepages' | 'cpuPolicy' | 'threadPolicy' | 'emulatorThreads' | 'numaPolicy'>(
    path: K,
    label: string,
    choices: readonly VmForm[K][],
  ) => (
    <div className="field">
      <label htmlFor={id(path)}>{label}</label>
      <select
        id={id(path)}
        value={form[path]}
        aria-describedby={describedBy(path)}
        onChange={(e) => {
          touch(path);
          set(path, e.target.value as VmForm[K]);
        }}
        data-testid={`field-${path}`}
      >
        {choices.map((c) => (
          <option key={c}>{c}</option>
        ))}
      </select>
      {err(path)}
    </div>
  );

  return (
    <div className="wizard-form" data-testid="wizard-form">
      <fieldset>
        <legend>Machine</legend>
        <div className="form-grid">
          {text('name', 'Name')}
          {text('vcpus', 'vCPUs', 'number', { min: 1 })}
          {text('memoryMiB', 'Memory (MiB)', 'number', { min: 128, step: 256 })}
          {select('hugepages', 'Hugepages', HUGEPAGE_CHOICES)}
        </div>
      </fieldset>
      <fieldset>
        <legend>CPU and NUMA</legend>
        <div className="form-grid">
          {select('cpuPolicy', 'CPU policy', CPU_POLICY_CHOICES)}
          {select('threadPolicy', 'Thread policy', THREAD_POLICY_CHOICES)}
          {select('emulatorThreads', 'Emulator threads', EMULATOR_CHOICES)}
          {select('numaPolicy', 'NUMA policy', NUMA_POLICY_CHOICES)}
        </div>
      </fieldset>
      <fieldset>
        <legend>Guest drivers</legend>
        <label className="check">
          <input
            type="checkbox"
            checked={form.guestVirtio}
            onChange={(e) => set('guestVirtio', e.target.checked)}
            data-testid="field-guestVirtio"
          />{' '}
          Guest has virtio drivers
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={form.guestVfDriver}
            onChange={(e) => set('guestVfDriver', e.target.checked)}
            data-testid="field-guestVfDriver"
          />{' '}
          Guest has an SR-IOV VF driver
        </label>
      </fieldset>
      <fieldset>
        <legend>Interfaces</legend>
        {err('interfaces')}
        {form.interfaces.map((f, i) => {
          const p = `interfaces.${i}`;
          return (
            <div className="iface" key={i} data-testid={`iface-${i}`}>
              <div className="form-grid">
                <div className="field">
                  <label htmlFor={id(`${p}.network`)}>Network</label>
                  <select
                    id={id(`${p}.network`)}
                    value={f.network}
                    aria-describedby={describedBy(`${p}.network`)}
                    onChange={(e) => {
                      touch(`${p}.network`);
                      setIface(i, { network: e.target.value });
                    }}
                    onBlur={() => touch(`${p}.network`)}
                    data-testid={`field-${p}.network`}
                  >
                    <option value="">(choose)</option>
                    {networks.map((n) => (
                      <option key={n}>{n}</option>
                    ))}
                  </select>
                  {err(`${p}.network`)}
                </div>
                <div className="field">
                  <label htmlFor={id(`${p}.datapath`)}>Datapath</label>
                  <select
                    id={id(`${p}.datapath`)}
                    value={f.datapath}
                    aria-describedby={describedBy(`${p}.datapath`)}
                    onChange={(e) => {
                      touch(`${p}.datapath`);
                      setIface(i, { datapath: e.target.value as InterfaceForm['datapath'] });
                    }}
                    data-testid={`field-${p}.datapath`}
                  >
                    {DATAPATH_CHOICES.map((d) => (
                      <option key={d} value={d}>
                        {d} — {DATAPATH_HELP[d]}
                      </option>
                    ))}
                  </select>
                  {err(`${p}.datapath`)}
                </div>
                {(['minBandwidthMbps', 'mac', 'vlan'] as const).map((k) => (
                  <div className="field" key={k}>
                    <label htmlFor={id(`${p}.${k}`)}>
                      {k === 'minBandwidthMbps' ? 'Min bandwidth (Mb/s)' : k === 'mac' ? 'MAC (optional)' : 'VLAN (optional)'}
                    </label>
                    <input
                      id={id(`${p}.${k}`)}
                      value={f[k]}
                      inputMode={k === 'mac' ? 'text' : 'numeric'}
                      aria-invalid={errorFor(`${p}.${k}`) ? true : undefined}
                      aria-describedby={describedBy(`${p}.${k}`)}
                      onChange={(e) => setIface(i, { [k]: e.target.value })}
                      onBlur={() => touch(`${p}.${k}`)}
                      data-testid={`field-${p}.${k}`}
                    />
                    {err(`${p}.${k}`)}
                  </div>
                ))}
              </div>
              <label className="check">
                <input
                  type="checkbox"
                  checked={f.liveMigratable}
                  onChange={(e) => {
                    touch(`${p}.datapath`);
                    setIface(i, { liveMigratable: e.target.checked });
                  }}
                  data-testid={`field-${p}.liveMigratable`}
                />{' '}
                Must live-migrate
              </label>
              {form.interfaces.length > 1 && (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => onChange({ ...form, interfaces: form.interfaces.filter((_, k) => k !== i) })}
                >
                  Remove interface {i}
                </button>
              )}
            </div>
          );
        })}
        <button
          type="button"
          className="btn btn-small"
          onClick={() => set('interfaces', [...form.interfaces, emptyInterface(networks[0] ?? '')])}
          data-testid="add-interface"
        >
          Add interface
        </button>
      </fieldset>
      <fieldset>
        <legend>Host choice (optional)</legend>
        <div className="form-grid">
          <div className="field">
            <label htmlFor="vm-pinHost">Pin to host</label>
            <select
              id="vm-pinHost"
              value={form.pinHost}
              onChange={(e) => {
                touch('pinHost');
                set('pinHost', e.target.value);
              }}
              data-testid="field-pinHost"
              aria-describedby={describedBy('pinHost')}
            >
              <option value="">(any host)</option>
              {hosts.map((h) => (
                <option key={h}>{h}</option>
              ))}
            </select>
            {err('pinHost')}
          </div>
          <div className="field">
            <span className="field-label" id="vm-avoid-label">
              Avoid hosts
            </span>
            <div className="checks" role="group" aria-labelledby="vm-avoid-label" data-testid="field-avoidHosts">
              {hosts.length === 0 && <span className="muted small">No hosts</span>}
              {hosts.map((h) => (
                <label className="check" key={h}>
                  <input
                    type="checkbox"
                    checked={form.avoidHosts.includes(h)}
                    onChange={(e) => set('avoidHosts', e.target.checked ? [...form.avoidHosts, h] : form.avoidHosts.filter((x) => x !== h))}
                  />{' '}
                  {h}
                </label>
              ))}
            </div>
          </div>
        </div>
      </fieldset>
    </div>
  );
}
