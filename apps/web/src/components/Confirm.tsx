import { useEffect, useRef, useState } from 'react';

/** A button that asks once more, inline, before doing something destructive. */
export function ConfirmButton({
  label,
  question,
  onConfirm,
  busy,
  testId,
}: {
  label: string;
  question: string;
  onConfirm: () => void;
  busy?: boolean;
  testId?: string;
}) {
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
  }, [asking]);
  if (!asking) {
    return (
      <button type="button" className="btn btn-danger" onClick={() => setAsking(true)} disabled={busy} data-testid={testId}>
        {busy ? `${label}…` : label}
      </button>
    );
  }
  return (
    <span role="alertdialog" aria-label={question} className="confirm" onKeyDown={(e) => e.key === 'Escape' && setAsking(false)}>
      <span>{question}</span>
      <button
        ref={confirmRef}
        type="button"
        className="btn btn-danger"
        data-testid={testId ? `${testId}-confirm` : undefined}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        Yes, {label.toLowerCase()}
      </button>
      <button type="button" className="btn" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
