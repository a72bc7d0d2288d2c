export function CapacityBar({
  label,
  free,
  total,
  unit = '',
  testId,
}: {
  label: string;
  free: number;
  total: number;
  unit?: string;
  testId?: string;
}) {
  const used = Math.max(0, total - free);
  const pct = total > 0 ? Math.round((used / total) * 100) : 0;
  const level = pct >= 90 ? 'high' : pct >= 70 ? 'mid' : 'low';
  return (
    <div className="capbar" data-testid={testId} title={`${label}: ${free}${unit} free of ${total}${unit}`}>
      <span className="capbar-label">{label}</span>
      <span
        className="capbar-track"
        role="meter"
        aria-label={`${label} used`}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={used}
        aria-valuetext={`${free}${unit} free of ${total}${unit}`}
      >
        <span className={`capbar-fill capbar-${level}`} style={{ width: `${pct}%` }} />
      </span>
      {/* "free" spelled out: a bare "32/32" next to an empty bar reads as "all used" */}
      <span className="capbar-value">
        {free}/{total}
        {unit} free
      </span>
    </div>
  );
}

export function ProgressBar({ value, label, state, testId }: { value: number; label: string; state?: string; testId?: string }) {
  const v = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div className={`progress progress-${(state ?? '').toLowerCase()}`} data-testid={testId}>
      <span className="progress-track" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={v}>
        <span className="progress-fill" style={{ width: `${v}%` }} />
      </span>
      <span className="progress-value">{v}%</span>
    </div>
  );
}

export function StateBadge({ state }: { state: string }) {
  return <span className={`badge state state-${state.toLowerCase()}`}>{state}</span>;
}

export function CapBadge({ on, label, title }: { on: boolean; label: string; title: string }) {
  return (
    <span
      className={`badge cap ${on ? 'cap-on' : 'cap-off'}`}
      title={`${title}: ${on ? 'yes' : 'no'}`}
      aria-label={`${label} ${on ? 'available' : 'missing'}`}
    >
      {label}
    </span>
  );
}
