/**
 * Command-line options of the benchmark scripts: `--name value` or `--name=value`, flags as
 * `--name`. A malformed number ends the script with exit code 2 and names the option.
 */
const argv = process.argv.slice(2);

/** `--json`: one JSON object on stdout instead of the report. */
export const json = argv.includes('--json');

export function flag(name: string): boolean {
  return argv.includes(`--${name}`);
}

export function opt(name: string, dflt: string): string {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return dflt;
  return argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : (argv[i + 1] ?? dflt);
}

export function intOpt(name: string, dflt: number, min: number): number {
  const v = Number(opt(name, String(dflt)));
  if (!Number.isInteger(v) || v < min) {
    process.stderr.write(`--${name} must be an integer >= ${min}\n`);
    process.exit(2);
  }
  return v;
}
