'use strict';
// Logging in the shape the Prisma CLI expects from the native schema-engine on stderr:
// one JSON object per line, `{ timestamp, level, fields: { message, ... }, target }`.
//
// The CLI reads these lines in two places:
//  - while talking JSON-RPC it collects `fields.message` of every line and remembers the
//    last ERROR line (used when the engine dies);
//  - for `cli can-connect-to-database | create-database` it skips the FIRST stderr line and
//    JSON.parses every other one; it then looks for `level: "ERROR"` with
//    `target: "schema_engine::logger"` and reads `fields.error_code` / `fields.message`.
// So nothing that is not a JSON line may ever reach stderr (see `silenceNodeWarnings`).

const ERROR_TARGET = 'schema_engine::logger';

function writeLine(obj) {
  process.stderr.write(JSON.stringify(obj) + '\n');
}

function log(level, message, extraFields = {}, target = 'schema_engine') {
  writeLine({ timestamp: new Date().toISOString(), level, fields: { message, ...extraFields }, target });
}

const info = (message, fields) => log('INFO', message, fields);
const warn = (message, fields) => log('WARN', message, fields);

/** A user-facing error the way the native engine logs it (the CLI keys on target and error_code). */
function logUserFacingError(message, errorCode) {
  const fields = errorCode ? { message, error_code: errorCode } : { message };
  log('ERROR', message, fields, ERROR_TARGET);
}

/**
 * The WASM engine logs through `tracing-subscriber`'s JSON formatter into a JS callback.
 * Its lines already have the native shape (minus the timestamp), so they are forwarded as-is.
 * Chunks are buffered until a newline so a line is never split or merged.
 */
function makeWasmLogSink() {
  let pending = '';
  return (chunk) => {
    pending += String(chunk);
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (!line) continue;
      // Anything that is not JSON would break the CLI's parser: wrap it.
      try {
        JSON.parse(line);
        process.stderr.write(line + '\n');
      } catch {
        log('INFO', line, {}, 'schema_engine_wasm');
      }
    }
  };
}

/** Node prints warnings (deprecations etc.) as plain text on stderr; turn them into JSON log lines. */
function silenceNodeWarnings() {
  process.removeAllListeners('warning');
  process.on('warning', (w) => warn(`node: ${w.name}: ${w.message}`));
}

module.exports = { log, info, warn, logUserFacingError, makeWasmLogSink, silenceNodeWarnings };
