'use strict';
// The driver adapter handed to the WASM schema engine: @prisma/adapter-pg, with three fixes
// for how the schema engine (rather than Prisma Client) uses it.
//
// 1. `"char"` columns. Postgres' internal single-byte type "char" (OID 18) is what
//    `pg_constraint.contype` and friends return. adapter-pg has no mapping for it and throws
//    UnsupportedNativeDataType, which makes the engine panic while describing any table with
//    a CHECK constraint. We report such columns as Character, which the engine decodes.
// 2. `executeScript`. adapter-pg splits the script on `;` and runs the pieces one by one. That
//    breaks any `;` inside a string or a plpgsql body (`$$ ... ; ... $$`), and it makes a failing
//    migration half-applied. The native engine sends a migration as ONE simple-protocol query,
//    which Postgres runs in an implicit transaction: all or nothing. We do the same.
// 3. Shadow databases. `PrismaPg#connectToShadowDb` creates a database and then opens a pool
//    with `{ ...config, database }`, but when the config is a connection string pg lets the
//    string win, so the "shadow" pool talks to the MAIN database (and its drop then fails).
//    We create a uniquely named temporary database ourselves and point a connection string at
//    it, or use `shadowDatabaseUrl` from prisma.config.ts when one is configured.

const { randomUUID } = require('node:crypto');
const { PrismaPg } = require('@prisma/adapter-pg');
const { ColumnTypeEnum, DriverAdapterError } = require('@prisma/driver-adapter-utils');
const admin = require('./pg-admin.cjs');

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/**
 * Fix 1 on a PgQueryable (the adapter or one of its transactions). adapter-pg's `queryRaw`
 * calls `this.performIO()` and then maps every `field.dataTypeID`; the rows array it gets from
 * performIO is returned unchanged. So performIO relabels "char" fields as text (accepted by the
 * mapping) and remembers their positions keyed by that rows array, and queryRaw puts
 * Character back in those positions. Keying by the rows array keeps concurrent queries apart.
 */
function patchCharColumns(queryable) {
  const charColumns = new WeakMap();
  const performIO = queryable.performIO;
  const queryRaw = queryable.queryRaw;
  if (typeof performIO !== 'function' || typeof queryRaw !== 'function') {
    throw new Error('prisma-engine: @prisma/adapter-pg changed shape (performIO/queryRaw); re-check pg-adapter.cjs');
  }
  queryable.performIO = async function (query) {
    const result = await performIO.call(this, query);
    const positions = [];
    (result.fields || []).forEach((field, i) => {
      if (field.dataTypeID === PG_CHAR_OID) {
        positions.push(i);
        field.dataTypeID = PG_TEXT_OID;
      }
    });
    if (positions.length > 0 && Array.isArray(result.rows)) charColumns.set(result.rows, positions);
    return result;
  };
  queryable.queryRaw = async function (query) {
    const resultSet = await queryRaw.call(this, query);
    const positions = charColumns.get(resultSet.rows);
    if (positions) for (const i of positions) resultSet.columnTypes[i] = ColumnTypeEnum.Character;
    return resultSet;
  };
  return queryable;
}

/** Fixes 1 and 2 on a PrismaPgAdapter instance (before bindAdapter binds its methods). */
function patchAdapter(adapter) {
  if (!adapter.client || typeof adapter.onError !== 'function' || typeof adapter.startTransaction !== 'function') {
    throw new Error('prisma-engine: @prisma/adapter-pg changed shape (client/onError); re-check pg-adapter.cjs');
  }
  patchCharColumns(adapter);
  const startTransaction = adapter.startTransaction;
  adapter.startTransaction = async function (...args) {
    return patchCharColumns(await startTransaction.apply(this, args));
  };
  adapter.executeScript = async function (script) {
    try {
      // No parameters => simple query protocol: many statements, one implicit transaction.
      await this.client.query(script);
    } catch (error) {
      // The engine only gets adapter-pg's condensed error ("No such table: x"); keep Postgres'
      // own code and message for the RPC layer's P3018 "migration failed to apply" error.
      lastScriptError = error;
      this.onError(error); // adapter-pg's own error mapping; always throws
    }
  };
  return adapter;
}

/** The last error a migration / db execute script failed with (for the RPC layer's messages). */
let lastScriptError = null;
function takeLastScriptError() {
  const e = lastScriptError;
  lastScriptError = null;
  return e;
}

function isPgServerError(error) {
  return typeof error?.code === 'string' && typeof error?.severity === 'string' && /^[0-9A-Z]{5}$/.test(error.code);
}

/** Pool options for a URL: connect timeout, and `?schema=` as search_path like the native engine. */
function poolConfig(url) {
  const { schema } = admin.describeUrl(url);
  const config = admin.clientConfig(url);
  if (schema) config.options = `-c search_path=${admin.quoteIdent(schema)}`;
  return config;
}

/** A driver error raised by our own pg calls, shaped so the engine can report it. */
function asDriverError(error) {
  if (error instanceof DriverAdapterError || !isPgServerError(error)) return error;
  return new DriverAdapterError({
    kind: 'postgres',
    code: error.code,
    severity: error.severity,
    message: error.message,
    detail: error.detail,
    column: error.column,
    hint: error.hint,
  });
}

/**
 * SqlMigrationAwareDriverAdapterFactory for the schema engine. Wrap it with
 * `bindMigrationAwareSqlAdapterFactory` before handing it to `SchemaEngine.new`.
 */
class SchemaEnginePgFactory {
  provider = 'postgres';
  adapterName = '@prisma/adapter-pg';

  /**
   * @param {{ url: string, shadowDatabaseUrl?: string, log?: (msg: string) => void }} options
   */
  constructor({ url, shadowDatabaseUrl, log = () => {} }) {
    this.url = url;
    this.shadowDatabaseUrl = shadowDatabaseUrl || undefined;
    this.log = log;
    /** Temporary shadow databases not dropped yet (names), for cleanup on exit. */
    this.temporaryDatabases = new Set();
  }

  async connect() {
    return this.connectTo(this.url);
  }

  async connectTo(url) {
    const { schema } = admin.describeUrl(url);
    const adapter = await new PrismaPg(poolConfig(url), schema ? { schema } : undefined).connect();
    return patchAdapter(adapter);
  }

  async connectToShadowDb() {
    if (this.shadowDatabaseUrl) {
      // Like the native engine: a configured shadow database is wiped before every use.
      try {
        await this.resetDatabase(this.shadowDatabaseUrl);
      } catch (e) {
        throw admin.toUserFacing(e, this.shadowDatabaseUrl) || e;
      }
      return this.connectTo(this.shadowDatabaseUrl);
    }

    const name = `prisma_migrate_shadow_db_${randomUUID()}`;
    const shadowUrl = admin.withDatabase(this.url, name);
    try {
      // Issued from the main database, like adapter-pg does; that one is known to exist.
      await admin.withClient(this.url, (c) => c.query(`CREATE DATABASE ${admin.quoteIdent(name)}`));
    } catch (e) {
      throw new admin.UserFacingError(
        'P3014',
        'Prisma Migrate could not create the shadow database. Please make sure the database user has permission to ' +
          'create databases. Read more about the shadow database (and workarounds) at https://pris.ly/d/migrate-shadow' +
          `\n\nOriginal error: ${e.code ? `${e.code}\n` : ''}${e.message}`,
        { error_code: e.code, inner_error: e.message },
      );
    }
    this.temporaryDatabases.add(name);
    this.log(`created temporary shadow database ${name}`);

    const { schema } = admin.describeUrl(this.url);
    if (schema && schema !== 'public') {
      await admin.withClient(shadowUrl, (c) => c.query(`CREATE SCHEMA IF NOT EXISTS ${admin.quoteIdent(schema)}`));
    }

    const adapter = await this.connectTo(shadowUrl);
    const dispose = adapter.dispose;
    adapter.dispose = async () => {
      await dispose.call(adapter); // closes the shadow pool first, or the drop would wait for it
      await this.dropTemporaryDatabase(name);
    };
    return adapter;
  }

  async dropTemporaryDatabase(name) {
    if (!this.temporaryDatabases.has(name)) return;
    try {
      await admin.dropDatabase(admin.withDatabase(this.url, name), { force: true, ifExists: true });
      this.temporaryDatabases.delete(name);
      this.log(`dropped temporary shadow database ${name}`);
    } catch (e) {
      throw asDriverError(e);
    }
  }

  /** Drop every temporary shadow database still around (engine crashed, CLI stopped us early). */
  async cleanup() {
    for (const name of [...this.temporaryDatabases]) {
      await this.dropTemporaryDatabase(name).catch((e) => this.log(`could not drop temporary shadow database ${name}: ${e.message}`));
    }
  }

  /** Empty a database: drop every user schema, recreate the one the URL uses. */
  async resetDatabase(url) {
    const schema = admin.describeUrl(url).schema || 'public';
    await admin.withClient(url, async (c) => {
      const { rows } = await c.query(
        `SELECT nspname FROM pg_namespace
          WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'`,
      );
      const drops = rows.map((r) => `DROP SCHEMA ${admin.quoteIdent(r.nspname)} CASCADE;`).join('\n');
      await c.query(`${drops}\nCREATE SCHEMA ${admin.quoteIdent(schema)};`);
    });
  }
}

module.exports = { SchemaEnginePgFactory, patchAdapter, patchCharColumns, takeLastScriptError, PG_CHAR_OID };
