#!/usr/bin/env node
'use strict';
// Stand-in for Prisma's native `schema-engine` binary, for machines that cannot download it.
// The Prisma CLI runs whatever PRISMA_SCHEMA_ENGINE_BINARY points at (see tools/prisma.cjs,
// prisma.config.ts and docs/prisma-engine.md). This runs the official WASM build of the same
// engine (@prisma/schema-engine-wasm) over @prisma/adapter-pg instead.
//
// Invocations the CLI uses (prisma/build/cli.js, Prisma 7.10):
//   schema-engine --version
//   schema-engine [--datamodels <file>]... [--datasource <json>] [--enabled-preview-features <csv>]
//                 [--extension-types <json>]
//       -> JSON-RPC over stdin/stdout until stdin closes            (rpc-server.cjs)
//   schema-engine --datasource '{"url":"..."}' cli <can-connect-to-database|create-database|drop-database>
//       -> exit 0 on success; on failure exit 1 with JSON log lines on stderr carrying
//          fields.error_code (P1001, P1003, ...)                       (pg-admin.cjs)

const log = require('./log.cjs');

log.silenceNodeWarnings();

function usage() {
  return [
    'schema-engine (WASM stand-in, see docs/prisma-engine.md)',
    '',
    'Usage:',
    '  schema-engine [--datamodels <path>]... [--datasource <json>]      JSON-RPC on stdin/stdout',
    '  schema-engine --datasource <json> cli <can-connect-to-database|create-database|drop-database>',
    '  schema-engine --version',
  ].join('\n');
}

function parseArgs(argv) {
  const opts = { datamodelPaths: [], datasource: undefined, cli: undefined, version: false, help: false, ignored: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inlineValue] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined];
    const value = () => (inlineValue !== undefined ? inlineValue : argv[++i]);
    switch (flag) {
      case '--version':
      case '-V':
        opts.version = true;
        break;
      case '--help':
      case '-h':
        opts.help = true;
        break;
      case '--datamodels':
      case '--datamodel':
      case '-d':
        opts.datamodelPaths.push(value());
        break;
      case '--datasource':
        opts.datasource = JSON.parse(value());
        break;
      case '--enabled-preview-features':
      case '--extension-types':
        // Native-only knobs; the WASM engine reads preview features from the schema itself.
        opts.ignored.push(flag, value());
        break;
      case 'cli':
        opts.cli = argv[++i]; // the subcommand; nothing follows it
        i = argv.length;
        break;
      default:
        opts.ignored.push(arg);
    }
  }
  return opts;
}

async function runCliCommand(command, datasource) {
  const admin = require('./pg-admin.cjs');
  const url = datasource?.url;
  if (!url) throw new Error('`cli` commands need --datasource \'{"url":"postgresql://..."}\'');
  const { database } = admin.describeUrl(url);
  switch (command) {
    case 'can-connect-to-database':
      await admin.probe(url);
      log.info('Connection successful');
      return;
    case 'create-database':
      await admin.createDatabase(url);
      log.info(`Database '${database}' was successfully created.`);
      return;
    case 'drop-database':
      await admin.dropDatabase(url);
      log.info(`The database '${database}' was successfully dropped.`);
      return;
    default:
      throw new Error(`Unknown cli command: ${command}`);
  }
}

async function main() {
  const argv = process.argv.slice(2);
  const quiet = argv.some((a) => ['--version', '-V', '--help', '-h'].includes(a));
  // The CLI skips the first stderr line of `cli` commands (the native engine starts with one
  // too), so it must come before anything that can fail.
  if (!quiet) log.info('Starting schema engine (wasm stand-in)');

  let opts;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    log.logUserFacingError(`Invalid arguments: ${e.message}`);
    process.exit(1);
  }
  if (opts.ignored.length > 0) log.info(`Ignored arguments: ${opts.ignored.join(' ')}`);

  if (opts.help) {
    process.stdout.write(usage() + '\n');
    return;
  }
  if (opts.version) {
    // `prisma version` shows this line; keep the native "schema-engine-cli <hash>" shape.
    const { packageVersion } = require('./wasm-engine.cjs');
    const hash = packageVersion().split('.').pop();
    process.stdout.write(`schema-engine-cli ${hash} (wasm stand-in, @prisma/schema-engine-wasm ${packageVersion()})\n`);
    return;
  }

  if (opts.cli) {
    try {
      await runCliCommand(opts.cli, opts.datasource);
      process.exit(0);
    } catch (e) {
      log.logUserFacingError(e.message, e.code && /^P\d{4}$/.test(e.code) ? e.code : undefined);
      process.exit(1);
    }
  }

  const { RpcServer } = require('./rpc-server.cjs');
  new RpcServer({ datasource: opts.datasource, datamodelPaths: opts.datamodelPaths }).start();
}

main().catch((e) => {
  log.logUserFacingError(`schema engine stand-in failed: ${e?.stack || e}`);
  process.exit(1);
});
