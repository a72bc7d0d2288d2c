import {
  CPU_POLICY_CHOICES,
  EMULATOR_CHOICES,
  HUGEPAGE_CHOICES,
  NUMA_POLICY_CHOICES,
  THREAD_POLICY_CHOICES,
  type FormErrors,
  type VmForm,
} from './form';
import { SelectField, TextField, useFields, type Fields, type SetField } from './fields';
import { InterfaceFields } from './InterfaceFields';

export interface WizardFormProps {
  form: VmForm;
  onChange: (form: VmForm) => void;
  errors: FormErrors;
  /** Show every error, not only those of fields the user has left (after a submit attempt) */
  showAllErrors: boolean;
  networks: readonly string[];
  hosts: readonly string[];
  /** Affinity groups by name, with how each treats hosts (the option's hint). */
  groups: readonly { name: string; label: string }[];
}

interface SectionProps {
  form: VmForm;
  set: SetField;
  fields: Fields;
}

function GuestDrivers({ form, set }: SectionProps) {
  return (
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
  );
}

function HostChoice({ form, set, fields, hosts }: SectionProps & { hosts: readonly string[] }) {
  return (
    <fieldset>
      <legend>Host choice (optional)</legend>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="vm-pinHost">Pin to host</label>
          <select
            id="vm-pinHost"
            value={form.pinHost}
            onChange={(e) => {
              fields.touch('pinHost');
              set('pinHost', e.target.value);
            }}
            data-testid="field-pinHost"
            aria-describedby={fields.describedBy('pinHost')}
          >
            <option value="">(any host)</option>
            {hosts.map((h) => (
              <option key={h}>{h}</option>
            ))}
          </select>
          {fields.err('pinHost')}
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
  );
}

/** The group the VM joins; its rule is shown next to the name so the choice says what it does. */
function GroupChoice({ form, set, fields, groups }: SectionProps & { groups: WizardFormProps['groups'] }) {
  return (
    <div className="field">
      <label htmlFor="vm-group">Affinity group</label>
      <select
        id="vm-group"
        value={form.group}
        onChange={(e) => {
          fields.touch('group');
          set('group', e.target.value);
        }}
        data-testid="field-group"
        aria-describedby={fields.describedBy('group')}
      >
        <option value="">(none)</option>
        {groups.map((g) => (
          <option key={g.name} value={g.name}>
            {g.name} — {g.label}
          </option>
        ))}
      </select>
      {fields.err('group')}
    </div>
  );
}

export function WizardForm({ form, onChange, errors, showAllErrors, networks, hosts, groups }: WizardFormProps) {
  const fields = useFields(errors, showAllErrors);
  const set: SetField = (key, value) => onChange({ ...form, [key]: value });
  const section = { form, set, fields };
  return (
    <div className="wizard-form" data-testid="wizard-form">
      <fieldset>
        <legend>Machine</legend>
        <div className="form-grid">
          <TextField {...section} path="name" label="Name" />
          <TextField {...section} path="vcpus" label="vCPUs" type="number" min={1} />
          <TextField {...section} path="memoryMiB" label="Memory (MiB)" type="number" min={128} step={256} />
          <SelectField {...section} path="hugepages" label="Hugepages" choices={HUGEPAGE_CHOICES} />
        </div>
      </fieldset>
      <fieldset>
        <legend>CPU and NUMA</legend>
        <div className="form-grid">
          <SelectField {...section} path="cpuPolicy" label="CPU policy" choices={CPU_POLICY_CHOICES} />
          <SelectField {...section} path="threadPolicy" label="Thread policy" choices={THREAD_POLICY_CHOICES} />
          <SelectField {...section} path="emulatorThreads" label="Emulator threads" choices={EMULATOR_CHOICES} />
          <SelectField {...section} path="numaPolicy" label="NUMA policy" choices={NUMA_POLICY_CHOICES} />
        </div>
      </fieldset>
      <GuestDrivers {...section} />
      <InterfaceFields form={form} onChange={onChange} fields={fields} networks={networks} />
      <HostChoice {...section} hosts={hosts} />
      <fieldset>
        <legend>Affinity (optional)</legend>
        <div className="form-grid">
          <GroupChoice {...section} groups={groups} />
        </div>
      </fieldset>
    </div>
  );
}
