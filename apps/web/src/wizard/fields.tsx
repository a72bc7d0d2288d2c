import { useState, type ReactNode } from 'react';
import type { FormErrors, VmForm } from './form';

/** The DOM id of a form path (`interfaces.0.mac` → `vm-interfaces-0-mac`). */
export function fieldId(path: string): string {
  return `vm-${path.replace(/\./g, '-')}`;
}

/** Which fields show their error: those the user has left, or all after a submit attempt. */
export interface Fields {
  touch: (path: string) => void;
  errorFor: (path: string) => string | undefined;
  describedBy: (path: string) => string | undefined;
  /** The error of a path as an alert next to its field, or nothing. */
  err: (path: string) => ReactNode;
}

export function useFields(errors: FormErrors, showAllErrors: boolean): Fields {
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const touch = (path: string) => setTouched((t) => (t.has(path) ? t : new Set(t).add(path)));
  const errorFor = (path: string): string | undefined => (showAllErrors || touched.has(path) ? errors[path] : undefined);
  const describedBy = (path: string) => (errorFor(path) ? `${fieldId(path)}-error` : undefined);
  const err = (path: string) => {
    const e = errorFor(path);
    return e ? (
      <span className="field-error" id={`${fieldId(path)}-error`} role="alert" data-testid={`error-${path}`}>
        {e}
      </span>
    ) : null;
  };
  return { touch, errorFor, describedBy, err };
}

/** Sets one top-level field of the form. */
export type SetField = <K extends keyof VmForm>(key: K, value: VmForm[K]) => void;

export function TextField(props: {
  form: VmForm;
  set: SetField;
  fields: Fields;
  path: 'name' | 'vcpus' | 'memoryMiB';
  label: string;
  type?: 'text' | 'number';
  min?: number;
  step?: number;
}) {
  const { form, set, fields, path, label, type = 'text', min, step } = props;
  return (
    <div className="field">
      <label htmlFor={fieldId(path)}>{label}</label>
      <input
        id={fieldId(path)}
        type={type}
        value={form[path]}
        min={min}
        step={step}
        aria-invalid={fields.errorFor(path) ? true : undefined}
        aria-describedby={fields.describedBy(path)}
        onChange={(e) => set(path, e.target.value)}
        onBlur={() => fields.touch(path)}
        data-testid={`field-${path}`}
      />
      {fields.err(path)}
    </div>
  );
}

type SelectPath = 'hugepages' | 'cpuPolicy' | 'threadPolicy' | 'emulatorThreads' | 'numaPolicy';

export function SelectField<K extends SelectPath>(props: {
  form: VmForm;
  set: SetField;
  fields: Fields;
  path: K;
  label: string;
  choices: readonly VmForm[K][];
}) {
  const { form, set, fields, path, label, choices } = props;
  return (
    <div className="field">
      <label htmlFor={fieldId(path)}>{label}</label>
      <select
        id={fieldId(path)}
        value={form[path]}
        aria-describedby={fields.describedBy(path)}
        onChange={(e) => {
          fields.touch(path);
          set(path, e.target.value as VmForm[K]);
        }}
        data-testid={`field-${path}`}
      >
        {choices.map((c) => (
          <option key={c}>{c}</option>
        ))}
      </select>
      {fields.err(path)}
    </div>
  );
}
