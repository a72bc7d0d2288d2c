#!/usr/bin/env node
'use strict';
// `node tools/prisma.cjs <args>` = `prisma <args>` with the project's schema-engine stand-in.
// Prisma's CLI needs a native schema-engine binary it downloads on first use; this machine
// cannot download it, so we point PRISMA_SCHEMA_ENGINE_BINARY at the WASM-based stand-in
// (tools/prisma-engine/schema-engine.cjs, docs/prisma-engine.md) unless the caller already
// set it (e.g. to a native binary), or NETPIN_PRISMA_NATIVE_ENGINE=1 asks for the native one.

const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY && !env.NETPIN_PRISMA_NATIVE_ENGINE) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = path.join(root, 'tools/prisma-engine/schema-engine.cjs');
}
// No telemetry / update checks: there is no internet here and they only add latency.
env.CHECKPOINT_DISABLE ??= '1';
env.PRISMA_HIDE_UPDATE_MESSAGE ??= '1';

const cli = require.resolve('prisma/build/index.js', { paths: [root] });
const child = spawn(process.execPath, [cli, ...process.argv.slice(2)], { stdio: 'inherit', env, cwd: process.cwd() });

// Let Ctrl-C / kill reach prisma (it cleans up its engine), then mirror its exit.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else process.exit(code ?? 1);
});
