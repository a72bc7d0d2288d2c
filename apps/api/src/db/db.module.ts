import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import {
  AuthRepository,
  SnapshotCache,
  createDb,
  createSqlReader,
  DiscoveryRepository,
  DriftRepository,
  HostRepository,
  LookupRepository,
  GroupRepository,
  NetworkRepository,
  OperationRepository,
  DrainRepository,
  ProvisioningRepository,
  MigrationRepository,
  RetentionRepository,
  SnapshotRepository,
  VmRepository,
  type Db,
  type DbOptions,
  type SqlReader,
  createRedis,
  type RedisClient,
} from '@netpin/db';
import type { PlacementOptions } from '@netpin/placement';

export const DB = Symbol('DB');
export const REDIS = Symbol('REDIS');
export const SQL = Symbol('SQL');
export const JOB_SQL = Symbol('JOB_SQL');
export const PLACE_SQL = Symbol('PLACE_SQL');

/** Database client and repositories, one instance each for the whole app. */
@Global()
@Module({})
export class DbModule implements OnApplicationShutdown {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(SQL) private readonly sql: SqlReader,
    @Inject(JOB_SQL) private readonly jobSql: SqlReader,
    @Inject(PLACE_SQL) private readonly placeSql: SqlReader,
  ) {}

  static forRoot(opts: { databaseUrl: string; redisUrl: string; db?: DbOptions; placement?: Partial<PlacementOptions> }): DynamicModule {
    return {
      module: DbModule,
      providers: [
        { provide: DB, useFactory: () => createDb(opts.databaseUrl, opts.db) },
        {
          provide: REDIS,
          // lazy: building the schema documents must not need a running Redis
          useFactory: () => {
            const redis = createRedis(opts.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: true });
            // /readyz reports Redis being down; the client's reconnect noise adds nothing
            redis.on('error', () => undefined);
            return redis;
          },
        },
        // plain SQL for the requests' hottest statements: the list page, registerHost, discoverHost,
        // audit rows, names (no connection until the first query); discoverHost's statement may
        // wait for PlacementState behind a batch of results, so a request burst holds several
        { provide: SQL, useFactory: () => createSqlReader(opts.databaseUrl, opts.db, 8) },
        { provide: HostRepository, inject: [DB, SQL], useFactory: (db: Db, sql: SqlReader) => new HostRepository(db, sql) },
        { provide: NetworkRepository, inject: [DB], useFactory: (db: Db) => new NetworkRepository(db) },
        { provide: GroupRepository, inject: [DB], useFactory: (db: Db) => new GroupRepository(db) },
        { provide: VmRepository, inject: [DB], useFactory: (db: Db) => new VmRepository(db) },
        { provide: LookupRepository, inject: [DB, SQL], useFactory: (db: Db, sql: SqlReader) => new LookupRepository(db, sql) },
        { provide: DiscoveryRepository, inject: [DB, SQL], useFactory: (db: Db, sql: SqlReader) => new DiscoveryRepository(db, sql) },
        { provide: SnapshotRepository, inject: [DB], useFactory: (db: Db) => new SnapshotRepository(db) },
        // the statements of every job on a pool of their own (no connection until the first one)
        { provide: JOB_SQL, useFactory: () => createSqlReader(opts.databaseUrl, opts.db) },
        { provide: OperationRepository, inject: [DB, JOB_SQL], useFactory: (db: Db, sql: SqlReader) => new OperationRepository(db, sql) },
        { provide: DrainRepository, inject: [DB], useFactory: (db: Db) => new DrainRepository(db) },
        { provide: SnapshotCache, inject: [DB], useFactory: (db: Db) => new SnapshotCache(db, opts.placement) },
        // a create's one statement (createPlacedVmAt, one at a time per process): never queued behind a job's
        { provide: PLACE_SQL, useFactory: () => createSqlReader(opts.databaseUrl, opts.db, 1) },
        {
          provide: ProvisioningRepository,
          inject: [DB, SnapshotCache, JOB_SQL, PLACE_SQL],
          useFactory: (db: Db, cache: SnapshotCache, sql: SqlReader, place: SqlReader) => new ProvisioningRepository(db, cache, sql, place),
        },
        {
          provide: MigrationRepository,
          inject: [DB, SnapshotCache],
          useFactory: (db: Db, cache: SnapshotCache) => new MigrationRepository(db, cache),
        },
        { provide: DriftRepository, inject: [DB], useFactory: (db: Db) => new DriftRepository(db) },
        { provide: RetentionRepository, inject: [DB], useFactory: (db: Db) => new RetentionRepository(db) },
        { provide: AuthRepository, inject: [DB, SQL], useFactory: (db: Db, sql: SqlReader) => new AuthRepository(db, sql) },
      ],
      exports: [
        AuthRepository,
        SnapshotCache,
        DriftRepository,
        RetentionRepository,
        DB,
        REDIS,
        HostRepository,
        NetworkRepository,
        GroupRepository,
        VmRepository,
        LookupRepository,
        DiscoveryRepository,
        SnapshotRepository,
        OperationRepository,
        ProvisioningRepository,
        MigrationRepository,
        DrainRepository,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.db.$disconnect(), this.sql.close(), this.jobSql.close(), this.placeSql.close()]);
    this.redis.disconnect();
  }
}
