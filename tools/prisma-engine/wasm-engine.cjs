'use strict';
// Loads @prisma/schema-engine-wasm in plain Node 20.
//
// The package's entry (`schema_engine.js`) does `import * as wasm from "./schema_engine_bg.wasm"`,
// an ES-module WebAssembly import that Node 20 only allows behind --experimental-wasm-modules.
// So we do by hand what that entry does: import the JS glue (`schema_engine_bg.js`),
// instantiate the .wasm with the glue as its import object, hand the instance to the glue
// (`__wbg_set_wasm`) and run the start function.
//
// Rust panics: the engine's panic hook calls `global.PRISMA_WASM_PANIC_REGISTRY.set_message(msg)`
// and then traps ("RuntimeError: unreachable"). A trap inside an async engine method happens in a
// promise callback, so the method's promise never settles; without a registry the glue even
// throws a TypeError. The registry installed here forwards every panic to `onPanic` listeners so
// the RPC layer can fail the request in flight instead of hanging or exiting silently.

const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const panicListeners = new Set();

const panicRegistry = {
  message: '',
  get() {
    return this.message;
  },
  set_message(message) {
    this.message = `RuntimeError: ${message}`;
    for (const listener of panicListeners) listener(String(message));
  },
};

/** Subscribe to Rust panics of the engine; returns an unsubscribe function. */
function onPanic(listener) {
  panicListeners.add(listener);
  return () => panicListeners.delete(listener);
}

/** A trap from the wasm instance (after a panic, or on its own, e.g. out of memory). */
function isWasmTrap(error) {
  return error instanceof WebAssembly.RuntimeError || error?.name === 'RuntimeError';
}

function packageDir() {
  // The package's "exports" hides package.json; resolve a file it does export.
  return path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
}

function packageVersion() {
  return JSON.parse(fs.readFileSync(path.join(packageDir(), 'package.json'), 'utf8')).version;
}

let loading = null;

/**
 * Load (once) and return the glue module: `{ SchemaEngine, version }`.
 * @returns {Promise<typeof import('@prisma/schema-engine-wasm')>}
 */
function loadSchemaEngineWasm() {
  if (!loading) {
    loading = (async () => {
      globalThis.PRISMA_WASM_PANIC_REGISTRY = panicRegistry;
      const dir = packageDir();
      const glue = await import(pathToFileURL(path.join(dir, 'schema_engine_bg.js')).href);
      const bytes = await fs.promises.readFile(path.join(dir, 'schema_engine_bg.wasm'));
      const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': glue });
      glue.__wbg_set_wasm(instance.exports);
      instance.exports.__wbindgen_start();
      return glue;
    })();
  }
  return loading;
}

module.exports = { loadSchemaEngineWasm, onPanic, isWasmTrap, panicRegistry, packageVersion };
