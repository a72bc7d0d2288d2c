import { CliUsageError, PROFILE_NAMES, USAGE, describeFleet, formatFleet, parseCli, startFleet } from '@netpin/hostsim';

/** hostsim CLI: start simulated KVM hosts on loopback until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const cmd = parseCli(process.argv.slice(2));
  if (cmd.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (cmd.kind === 'profiles') {
    process.stdout.write(`${PROFILE_NAMES.join('\n')}\n`);
    return;
  }
  const fleet = await startFleet(cmd.options);
  process.stdout.write(formatFleet(describeFleet(fleet, cmd.options.profiles ?? []), cmd.json));
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`hostsim: ${signal}, stopping ${fleet.hosts.length} host(s)\n`);
    fleet.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  process.stderr.write(`hostsim: ${e instanceof Error ? e.message : String(e)}\n`);
  if (e instanceof CliUsageError) process.stderr.write(`${USAGE}\n`);
  process.exit(e instanceof CliUsageError ? 2 : 1);
});
