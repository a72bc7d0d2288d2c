import { DATAPATH_CHOICES, DATAPATH_UI, emptyInterface, type InterfaceForm, type VmForm } from './form';
import { fieldId, type Fields } from './fields';

const TEXT_LABELS = {
  minBandwidthMbps: 'Min bandwidth (Mb/s)',
  maxBandwidthMbps: 'Max bandwidth (Mb/s)',
  mac: 'MAC (optional)',
  vlan: 'VLAN (optional)',
} as const;

interface IfaceProps {
  f: InterfaceForm;
  /** The form path of the interface, `interfaces.<i>`. */
  p: string;
  fields: Fields;
  setIface: (patch: Partial<InterfaceForm>) => void;
}

function NetworkSelect({ f, p, fields, setIface, networks }: IfaceProps & { networks: readonly string[] }) {
  return (
    <div className="field">
      <label htmlFor={fieldId(`${p}.network`)}>Network</label>
      <select
        id={fieldId(`${p}.network`)}
        value={f.network}
        aria-describedby={fields.describedBy(`${p}.network`)}
        onChange={(e) => {
          fields.touch(`${p}.network`);
          setIface({ network: e.target.value });
        }}
        onBlur={() => fields.touch(`${p}.network`)}
        data-testid={`field-${p}.network`}
      >
        <option value="">(choose)</option>
        {networks.map((n) => (
          <option key={n}>{n}</option>
        ))}
      </select>
      {fields.err(`${p}.network`)}
    </div>
  );
}

function DatapathSelect({ f, p, fields, setIface }: IfaceProps) {
  return (
    <div className="field">
      <label htmlFor={fieldId(`${p}.datapath`)}>Datapath</label>
      <select
        id={fieldId(`${p}.datapath`)}
        value={f.datapath}
        aria-describedby={fields.describedBy(`${p}.datapath`)}
        onChange={(e) => {
          fields.touch(`${p}.datapath`);
          setIface({ datapath: e.target.value as InterfaceForm['datapath'] });
        }}
        data-testid={`field-${p}.datapath`}
      >
        {DATAPATH_CHOICES.map((d) => (
          <option key={d} value={d}>
            {d} — {DATAPATH_UI[d].help}
          </option>
        ))}
      </select>
      {fields.err(`${p}.datapath`)}
    </div>
  );
}

function IfaceText({ f, p, fields, setIface, k }: IfaceProps & { k: keyof typeof TEXT_LABELS }) {
  return (
    <div className="field">
      <label htmlFor={fieldId(`${p}.${k}`)}>{TEXT_LABELS[k]}</label>
      <input
        id={fieldId(`${p}.${k}`)}
        value={f[k]}
        inputMode={k === 'mac' ? 'text' : 'numeric'}
        aria-invalid={fields.errorFor(`${p}.${k}`) ? true : undefined}
        aria-describedby={fields.describedBy(`${p}.${k}`)}
        onChange={(e) => setIface({ [k]: e.target.value })}
        onBlur={() => fields.touch(`${p}.${k}`)}
        data-testid={`field-${p}.${k}`}
      />
      {fields.err(`${p}.${k}`)}
    </div>
  );
}

function InterfaceEditor(props: IfaceProps & { i: number; networks: readonly string[]; onRemove?: () => void }) {
  const { f, p, fields, setIface, i, onRemove } = props;
  return (
    <div className="iface" data-testid={`iface-${i}`}>
      <div className="form-grid">
        <NetworkSelect {...props} />
        <DatapathSelect {...props} />
        {(['minBandwidthMbps', 'maxBandwidthMbps', 'mac', 'vlan'] as const).map((k) => (
          <IfaceText key={k} {...props} k={k} />
        ))}
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={f.liveMigratable}
          onChange={(e) => {
            fields.touch(`${p}.datapath`);
            setIface({ liveMigratable: e.target.checked });
          }}
          data-testid={`field-${p}.liveMigratable`}
        />{' '}
        Must live-migrate
      </label>
      {onRemove && (
        <button type="button" className="btn btn-small" onClick={onRemove}>
          Remove interface {i}
        </button>
      )}
    </div>
  );
}

/** The interfaces fieldset: one editor per interface, add and remove. */
export function InterfaceFields(props: { form: VmForm; onChange: (form: VmForm) => void; fields: Fields; networks: readonly string[] }) {
  const { form, onChange, fields, networks } = props;
  const setInterfaces = (interfaces: InterfaceForm[]) => onChange({ ...form, interfaces });
  return (
    <fieldset>
      <legend>Interfaces</legend>
      {fields.err('interfaces')}
      {form.interfaces.map((f, i) => (
        <InterfaceEditor
          key={i}
          f={f}
          p={`interfaces.${i}`}
          i={i}
          fields={fields}
          networks={networks}
          setIface={(patch) => setInterfaces(form.interfaces.map((g, k) => (k === i ? { ...g, ...patch } : g)))}
          onRemove={form.interfaces.length > 1 ? () => setInterfaces(form.interfaces.filter((_, k) => k !== i)) : undefined}
        />
      ))}
      <button
        type="button"
        className="btn btn-small"
        onClick={() => setInterfaces([...form.interfaces, emptyInterface(networks[0] ?? '')])}
        data-testid="add-interface"
      >
        Add interface
      </button>
    </fieldset>
  );
}
