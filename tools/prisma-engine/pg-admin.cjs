'use strict';
// Plain `pg` helpers for what the WASM engine cannot do itself: checking that a database is
// reachable, creating / dropping databases (`schema-engine cli ...`, the `createDatabase` RPC,
// temporary shadow databases), and turning connection failures into the user-facing error
// codes (P1000, P1001, ...) and messages the native engine reports.

const pg = require('pg');

const DEFAULT_CONNECT_TIMEOUT_MS = 5000; // the native engine's default connect_timeout is 5 s

/** Error with a Prisma error code, reported to the CLI like the native engine's user-facing errors. */
class UserFacingError extends Error {
  constructor(code, message, meta = {}) {
    super(message);
    this.name = 'UserFacingError';
    this.code = code;
    this.meta = meta;
  }
}

/** The parts of a postgres connection string the error messages and admin helpers need. */
function describeUrl(url) {
  const u = new URL(url);
  const params = u.searchParams;
  // `?host=/run/postgresql` (unix socket) wins over the URL host, as in libpq.
  const host = params.get('host') || decodeURIComponent(u.hostname) || 'localhost';
  return {
    host,
    port: u.port || params.get('port') || '5432',
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
    user: decodeURIComponent(u.username) || process.env.PGUSER || process.env.USER || 'postgres',
    schema: params.get('schema') || undefined,
    connectTimeoutMs: params.has('connect_timeout') ? Number(params.get('connect_timeout')) * 1000 : DEFAULT_CONNECT_TIMEOUT_MS,
  };
}

/** Same server and credentials, another database. */
function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = '/' + encodeURIComponent(database);
  return u.toString();
}

function quoteIdent(name) {
  return '"' + String(name).replace(/"/g, '""') + '"';
}

/** pg client options for a URL: the URL itself plus a connect timeout (pg has none by default). */
function clientConfig(url) {
  const { connectTimeoutMs } = describeUrl(url);
  return { connectionString: url, connectionTimeoutMillis: connectTimeoutMs };
}

/**
 * Map a `pg` / socket error raised while connecting to the user-facing error the native
 * engine would report, or return null when it is not a connection problem.
 */
function toUserFacing(error, url) {
  if (!error || error instanceof UserFacingError) return error || null;
  const d = describeUrl(url);
  const at = `${d.host}:${d.port}`;
  const code = error.code;
  const msg = String(error.message || '');
  if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOENT', 'ECONNRESET'].includes(code)) {
    return new UserFacingError(
      'P1001',
      `Can't reach database server at \`${at}\`\n\nPlease make sure your database server is running at \`${at}\`.`,
      { database_host: d.host, database_port: d.port },
    );
  }
  if (code === 'ETIMEDOUT' || /timeout/i.test(msg)) {
    return new UserFacingError(
      'P1002',
      `The database server at \`${at}\` was reached but timed out.\n\nPlease try again.\n\nPlease make sure your database server is running at \`${at}\`.\n\nContext: ${msg}`,
      { database_host: d.host, database_port: d.port },
    );
  }
  if (code === '3D000') {
    return new UserFacingError('P1003', `Database \`${d.database}\` does not exist on the database server at \`${at}\`.`, {
      database_name: d.database,
      database_host: d.host,
      database_port: d.port,
    });
  }
  if (code === '28P01') {
    return new UserFacingError(
      'P1000',
      `Authentication failed against database server at \`${d.host}\`, the provided database credentials for \`${d.user}\` are not valid.\n\nPlease make sure to provide valid database credentials for the database server at \`${d.host}\`.`,
      { database_user: d.user, database_host: d.host },
    );
  }
  if (code === '28000' || code === '42501') {
    return new UserFacingError('P1010', `User \`${d.user}\` was denied access on the database \`${d.database}\``, {
      database_user: d.user,
      database_name: d.database,
    });
  }
  if (code === '42P04') {
    return new UserFacingError('P1009', `Database \`${d.database}\` already exists on the database server at \`${at}\``, {
      database_name: d.database,
      database_host: d.host,
      database_port: d.port,
    });
  }
  if (/SSL|TLS|certificate/i.test(msg)) {
    return new UserFacingError('P1011', `Error opening a TLS connection: ${msg}`, { message: msg });
  }
  return null;
}

/** Run `fn(client)` on a short-lived connection to `url`. */
async function withClient(url, fn) {
  const client = new pg.Client(clientConfig(url));
  client.on('error', () => {}); // a dropped idle connection must not crash the process
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Connect and run a trivial query; throws a UserFacingError (or the raw error). */
async function probe(url) {
  try {
    await withClient(url, (c) => c.query('SELECT 1'));
  } catch (e) {
    throw toUserFacing(e, url) || e;
  }
}

/**
 * Run `fn(client)` connected to a maintenance database of the server `url` points at: the
 * target database may not exist yet (create) or must not be the connection's own (drop).
 */
async function withMaintenanceClient(url, fn) {
  const { database } = describeUrl(url);
  const candidates = ['postgres', 'template1'].filter((db) => db !== database);
  let lastError;
  for (const db of candidates) {
    try {
      return await withClient(withDatabase(url, db), fn);
    } catch (e) {
      lastError = e;
      // Only fall through to the next candidate when this one does not exist / is not allowed.
      if (!['3D000', '28000', '42501'].includes(e.code)) break;
    }
  }
  throw toUserFacing(lastError, url) || lastError;
}

/** CREATE DATABASE for the database named in `url`; returns its name. */
async function createDatabase(url) {
  const { database } = describeUrl(url);
  await withMaintenanceClient(url, async (c) => {
    try {
      await c.query(`CREATE DATABASE ${quoteIdent(database)}`);
    } catch (e) {
      throw toUserFacing(e, url) || e;
    }
  });
  return database;
}

/** DROP DATABASE for the database named in `url` (`force` also ends other sessions, PG >= 13). */
async function dropDatabase(url, { force = false, ifExists = false } = {}) {
  const { database } = describeUrl(url);
  const sql = `DROP DATABASE ${ifExists ? 'IF EXISTS ' : ''}${quoteIdent(database)}${force ? ' WITH (FORCE)' : ''}`;
  await withMaintenanceClient(url, async (c) => {
    try {
      await c.query(sql);
    } catch (e) {
      throw toUserFacing(e, url) || e;
    }
  });
  return database;
}

module.exports = {
  UserFacingError,
  describeUrl,
  withDatabase,
  quoteIdent,
  clientConfig,
  toUserFacing,
  withClient,
  probe,
  createDatabase,
  dropDatabase,
};
