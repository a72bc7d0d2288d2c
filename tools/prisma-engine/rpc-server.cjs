'use strict';
// The JSON-RPC 2.0 side of the stand-in: newline-delimited JSON on stdin/stdout, the way the
// Prisma CLI (`SchemaEngineCLI` in prisma/build/cli.js) talks to the native binary.
//
//  - Requests run one at a time, in arrival order: the WASM engine's methods take `&mut self`
//    and must never overlap (wasm-bindgen would throw "recursive use of an object").
//  - Method names are the CLI's; most map 1:1 onto the WASM `SchemaEngine`. Differences:
//    `getDatabaseVersion` is `version` there; `createDatabase` is not in the WASM engine (done
//    with pg here); `diff` returns its output as `stdout`, but the CLI expects the engine to
//    send it a `print` request (engine -> CLI) and prints nothing itself.
//  - Errors follow the native engine's JSON-RPC error shape, which the CLI unpacks:
//      { code: 4466, message, data: { is_panic, message, error_code?, meta?, backtrace? } }
//    `error_code` (P3006, P3018, ...) makes the CLI print the code; `is_panic` makes it
//    report a crash instead of a plain error.

const fs = require('node:fs');
const readline = require('node:readline');
const { bindMigrationAwareSqlAdapterFactory } = require('@prisma/driver-adapter-utils');
const { loadSchemaEngineWasm, onPanic, isWasmTrap } = require('./wasm-engine.cjs');
const { SchemaEnginePgFactory, takeLastScriptError } = require('./pg-adapter.cjs');
const admin = require('./pg-admin.cjs');
const log = require('./log.cjs');

const RPC_ERROR_CODE = 4466; // what the native engine uses for all application errors

class WasmPanic extends Error {
  constructor(message, backtrace) {
    super(message);
    this.name = 'WasmPanic';
    this.backtrace = backtrace;
  }
}

/** Methods forwarded unchanged to the WASM engine (CLI name === WASM name). */
const PASSTHROUGH = new Set([
  'applyMigrations',
  'dbExecute',
  'devDiagnostic',
  'diagnoseMigrationHistory',
  'ensureConnectionValidity',
  'introspect',
  'introspectSql',
  'markMigrationApplied',
  'markMigrationRolledBack',
  'reset',
  'schemaPush',
]);

class RpcServer {
  /**
   * @param {{ datasource: { url?: string, shadowDatabaseUrl?: string }, datamodelPaths: string[] }} options
   */
  constructor({ datasource, datamodelPaths }) {
    this.datasource = datasource || {};
    this.datamodelPaths = datamodelPaths || [];
    this.engine = null;
    this.factory = null;
    this.boundFactory = null;
    this.queue = Promise.resolve();
    this.inflight = null; // { reject } of the request being executed
    this.panicked = null; // WasmPanic once the engine has crashed: it cannot be used any more
    this.nextPrintId = 1;
    this.pendingPrints = new Map();
    this.closed = false;

    onPanic((message) => this.handlePanic(new WasmPanic(message, new Error().stack)));
  }

  start() {
    // Compile the 5 MB wasm while the CLI prepares its first request.
    loadSchemaEngineWasm().catch(() => {}); // errors resurface on first use
    const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    rl.on('line', (line) => this.onLine(line));
    rl.on('close', () => void this.shutdown());
    process.once('SIGTERM', () => void this.shutdown());
    process.once('SIGINT', () => void this.shutdown());
    // A failure outside any awaited promise (e.g. a trap in a wasm promise callback, or a bug
    // in an adapter callback) must fail the current request, not kill or hang the engine.
    process.on('uncaughtException', (e) => this.handleStrayError(e));
    process.on('unhandledRejection', (e) => this.handleStrayError(e));
  }

  // ---- transport -------------------------------------------------------------------------

  send(message) {
    process.stdout.write(JSON.stringify(message) + '\n');
  }

  onLine(line) {
    if (!line.trim()) return;
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      this.send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
      return;
    }
    if (typeof msg.method === 'string') {
      if (msg.id === undefined || msg.id === null) return; // notification: nothing to answer
      this.queue = this.queue.then(() => this.handleRequest(msg));
      return;
    }
    // A response to one of our own requests (only `print`).
    const pending = this.pendingPrints.get(msg.id);
    if (pending) {
      this.pendingPrints.delete(msg.id);
      pending();
    }
  }

  /** Ask the CLI to print `content` on its stdout, and wait until it has. */
  print(content) {
    const id = this.nextPrintId++;
    return new Promise((resolve) => {
      this.pendingPrints.set(id, resolve);
      this.send({ jsonrpc: '2.0', id, method: 'print', params: { content } });
    });
  }

  async handleRequest({ id, method, params }) {
    takeLastScriptError(); // forget failures of earlier requests
    try {
      const result = await this.guard(() => this.dispatch(method, params));
      this.send({ jsonrpc: '2.0', id, result: result === undefined ? null : result });
    } catch (error) {
      this.send({ jsonrpc: '2.0', id, error: this.toRpcError(this.explainMigrationFailure(method, error)) });
    }
  }

  // ---- engine ----------------------------------------------------------------------------

  /**
   * The engine instance, created on first use. The WASM engine connects to the main database
   * right away, even for requests that never read it (`migrate diff --from-empty --to-schema`).
   * Those pass `mayUseMaintenanceDb`: if the main database does not exist yet (P1003), the
   * engine connects to the server's `postgres` database instead, like the native engine that
   * would not have connected at all.
   */
  async getEngine({ mayUseMaintenanceDb = false } = {}) {
    if (this.panicked) throw this.panicked;
    if (this.engine && this.mainDbError && !mayUseMaintenanceDb) throw this.mainDbError;
    if (this.engine) return this.engine;
    const url = this.datasource.url;
    if (!url) {
      throw new Error('No datasource URL was given to the schema engine. Set `datasource.url` in prisma.config.ts (DATABASE_URL).');
    }
    try {
      this.engine = await this.createEngine(url);
    } catch (error) {
      if (this.panicked || isWasmTrap(error)) throw error;
      // The engine only says e.g. "Can't reach database server"; probe the database ourselves
      // to report it with the native error code (P1001, P1003, ...).
      const reason = await admin.probe(url).then(
        () => null,
        (e) => e,
      );
      if (reason?.code === 'P1003' && mayUseMaintenanceDb) {
        log.warn(`${reason.message} Using the server's "postgres" database for this request.`);
        this.engine = await this.createEngine(admin.withDatabase(url, 'postgres'));
        this.mainDbError = reason;
        return this.engine;
      }
      throw reason || error;
    }
    return this.engine;
  }

  async createEngine(url) {
    const wasm = await loadSchemaEngineWasm();
    this.factory = new SchemaEnginePgFactory({
      url,
      shadowDatabaseUrl: this.datasource.shadowDatabaseUrl,
      log: (m) => log.info(m),
    });
    this.boundFactory = bindMigrationAwareSqlAdapterFactory(this.factory);
    // `datamodels` must be undefined or non-empty.
    const datamodels = this.datamodelPaths.length ? this.datamodelPaths.map((p) => [p, fs.readFileSync(p, 'utf8')]) : undefined;
    return wasm.SchemaEngine.new({ datamodels }, log.makeWasmLogSink(), this.boundFactory);
  }

  async dispatch(method, params) {
    switch (method) {
      case 'getDatabaseVersion':
        return (await this.getEngine()).version(params ?? null);
      case 'diff': {
        const needsLiveDb = [params?.from, params?.to].some((t) => t?.tag === 'url' || t?.tag === 'schemaDatasource');
        const engine = await this.getEngine({ mayUseMaintenanceDb: !needsLiveDb });
        const { exitCode, stdout } = await engine.diff(params);
        if (stdout) await this.print(stdout);
        return { exitCode, stdout: null };
      }
      case 'createDatabase':
        return { databaseName: await admin.createDatabase(this.urlFromDatasourceParam(params?.datasource)) };
      case 'debugPanic':
        return (await this.getEngine()).debugPanic();
      case 'evaluateDataLoss':
      case 'createMigration':
        return this.withMigrationSchemaCache(await this.getEngine(), method, params);
      case 'getDatabaseDescription':
        throw new Error('getDatabaseDescription is not supported by the WASM schema engine stand-in.');
      default:
        if (PASSTHROUGH.has(method)) {
          const engine = await this.getEngine();
          // Call as a method: the wasm-bindgen object needs `this`.
          return engine[method](params);
        }
        throw Object.assign(new Error(`Method not found: ${method}`), { rpcCode: -32601 });
    }
  }

  /**
   * `evaluateDataLoss` and `createMigration` need the schema the migrations directory produces.
   * In the WASM build they can only get it from the engine's in-memory migration-schema cache:
   * computing it afresh goes through a code path without the adapter factory and fails with
   * "PostgreSQL shadow DB must be provided through an external factory". The cache is filled by
   * `diagnoseMigrationHistory` / `devDiagnostic` (via the factory's shadow database), keyed by
   * the migrations applied to the main database. `migrate dev` first runs devDiagnostic, then
   * applies pending migrations, then calls these two: when migrations were pending, the cache
   * holds the shorter list and misses. Re-running the diagnosis now that everything is applied
   * fills it for the full list, exactly what the native engine would have computed.
   */
  async withMigrationSchemaCache(engine, method, params) {
    try {
      return await engine[method](params);
    } catch (error) {
      if (!/shadow DB must be provided through an external factory/.test(String(error?.message))) throw error;
      log.info(`${method}: filling the migration schema cache through a shadow database, then retrying`);
      await engine.diagnoseMigrationHistory({
        migrationsList: params.migrationsList,
        optInToShadowDatabase: true,
        filters: params.filters,
      });
      return engine[method](params);
    }
  }

  urlFromDatasourceParam(datasource) {
    if (datasource?.tag === 'ConnectionString' && datasource.url) return datasource.url;
    if (!this.datasource.url) throw new Error('No datasource URL configured.');
    return this.datasource.url;
  }

  // ---- failures --------------------------------------------------------------------------

  /** Run `fn`, but let a panic / stray error reject it even if its promise never settles. */
  guard(fn) {
    return new Promise((resolve, reject) => {
      this.inflight = { reject };
      Promise.resolve()
        .then(fn)
        .then(resolve, (e) => reject(isWasmTrap(e) ? this.panicked || new WasmPanic(e.message, e.stack) : e));
    }).finally(() => {
      this.inflight = null;
    });
  }

  handlePanic(panic) {
    if (!this.panicked) this.panicked = panic;
    log.log('ERROR', `schema engine panicked: ${panic.message}`, {}, 'schema_engine::panic');
    // Reject on the next tick: the trap that follows the hook is still unwinding.
    setImmediate(() => this.inflight?.reject(this.panicked));
  }

  handleStrayError(error) {
    if (isWasmTrap(error)) {
      // Normally the panic hook fired first; a trap without one (e.g. OOM) is a crash too.
      this.handlePanic(this.panicked || new WasmPanic(error.message, error.stack));
      return;
    }
    log.log('ERROR', `unexpected error: ${error?.stack || error}`, {}, 'schema_engine::stray');
    if (this.inflight) this.inflight.reject(error);
  }

  /**
   * The WASM engine reports a migration script that fails on the main database as a plain
   * "external connector error" with adapter-pg's condensed reason. The native engine reports
   * P3018 with the migration name and Postgres' own error; rebuild that (the CLI prints it).
   */
  explainMigrationFailure(method, error) {
    const scriptError = takeLastScriptError();
    const message = String(error?.message ?? '');
    const applying = /apply_migration::apply_script[\s\S]*?migration_name="([^"]+)"/.exec(message);
    if (method !== 'applyMigrations' || !applying || error?.code) return error;
    const dbCode = scriptError?.code ?? 'unknown';
    const dbMessage = scriptError
      ? [
          `ERROR: ${scriptError.message}`,
          scriptError.detail && `DETAIL: ${scriptError.detail}`,
          scriptError.hint && `HINT: ${scriptError.hint}`,
          scriptError.where && `CONTEXT: ${scriptError.where}`,
        ]
          .filter(Boolean)
          .join('\n')
      : message;
    return new admin.UserFacingError(
      'P3018',
      'A migration failed to apply. New migrations cannot be applied before the error is recovered from. ' +
        'Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve' +
        `\n\nMigration name: ${applying[1]}\n\nDatabase error code: ${dbCode}\n\nDatabase error:\n${dbMessage}\n`,
      { migration_name: applying[1], database_error_code: dbCode, database_error: dbMessage },
    );
  }

  /**
   * A JS error thrown inside the adapter (e.g. by our shadow-database code) reaches the engine
   * only as an id in the bound factory's error registry; the engine's message then says
   * "External error id#3". Put the real error's message (and Prisma code, if any) back.
   */
  recoverAdapterError(error) {
    const registry = this.boundFactory?.errorRegistry;
    const message = String(error?.message ?? '');
    const match = /External error id#(\d+)|GenericJs\D*(\d+)/.exec(message);
    if (!registry || !match) return error;
    const original = registry.consumeError(Number(match[1] ?? match[2]))?.error;
    if (!(original instanceof Error)) return error;
    const recovered = new Error(message.replace(match[0], original.message));
    if (original.code && /^P\d{4}$/.test(original.code)) {
      recovered.code = original.code;
      recovered.meta = original.meta;
    }
    return recovered;
  }

  toRpcError(rawError) {
    if (rawError instanceof WasmPanic) {
      return {
        code: RPC_ERROR_CODE,
        message: rawError.message,
        data: { is_panic: true, message: rawError.message, backtrace: rawError.backtrace || null },
      };
    }
    if (rawError?.rpcCode) return { code: rawError.rpcCode, message: rawError.message };
    const error = this.recoverAdapterError(rawError);
    const message = String(error?.message ?? error);
    const data = { is_panic: false, message, backtrace: null };
    if (typeof error?.code === 'string' && /^P\d{4}$/.test(error.code)) {
      data.error_code = error.code;
      data.meta = error.meta ?? {};
    }
    return { code: RPC_ERROR_CODE, message: 'An error happened. Check the data field for details.', data };
  }

  async shutdown() {
    if (this.closed) return;
    this.closed = true;
    // Let the request in flight finish (the CLI ends stdin only when it has its answers),
    // but never hang: after a panic the queue may never drain.
    const drained = this.panicked ? Promise.resolve() : this.queue;
    await Promise.race([drained, new Promise((r) => setTimeout(r, 2000).unref())]);
    await Promise.race([this.factory?.cleanup(), new Promise((r) => setTimeout(r, 3000).unref())]).catch(() => {});
    process.exit(0);
  }
}

module.exports = { RpcServer, WasmPanic, RPC_ERROR_CODE };
