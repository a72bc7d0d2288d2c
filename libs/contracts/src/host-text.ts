import stripAnsi from 'strip-ansi';

// No zod here: the CLI loads this module (@netpin/contracts/host-text) at start.

// C0 controls except tab and newline, DEL, C1 controls, and the bidirectional overrides that
// can make a line read differently from what it contains.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text a host produced (stderr, error messages, driver and IRQ names), made safe to show:
 * terminal escape sequences and other control characters removed, then cut to `max`
 * characters. A hostile host must not be able to repaint an operator's terminal or fill a
 * viewer's page.
 */
export function cleanHostText(text: string, max: number): string {
  const clean = stripAnsi(text).replace(/\r\n?/g, '\n').replace(CONTROL, '');
  if (clean.length <= max) return clean;
  const more = `… (${clean.length - max} more characters)`;
  return clean.slice(0, Math.max(0, max - more.length)) + more;
}

/** How much of a host's words an operation keeps: its error message and its stderr. */
export const HOST_TEXT_LIMITS = { message: 1000, stderr: 4096, stderrLine: 200 } as const;
