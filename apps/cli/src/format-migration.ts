import type { PreviewMigrationQuery } from '@netpin/client';

type Preview = PreviewMigrationQuery['previewMigration'];

/** `netpin vm migrate --preview`: where it would go and the steps, or why it cannot move. */
export function formatMigrationPreview(vmName: string, p: Preview): string {
  const from = p.sourceHost?.name ?? '(no host)';
  const lines = [
    p.possible
      ? `vm ${vmName} would move ${p.strategy} from ${from} to ${p.targetHost?.name ?? '?'}`
      : `vm ${vmName} cannot move ${p.strategy} from ${from}`,
  ];
  for (const r of p.refusals)
    lines.push(
      `  ${r.code}${r.interfaceIndex === null || r.interfaceIndex === undefined ? '' : ` (interface ${r.interfaceIndex})`}: ${r.message}`,
    );
  if (p.possible) lines.push(`  steps: ${p.steps.join(', ')}`);
  return lines.join('\n');
}
