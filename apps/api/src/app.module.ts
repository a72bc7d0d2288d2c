import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import type { DbOptions } from '@netpin/db';
import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
import { DomainErrorFilter } from './common/error-mapper';
import { formatError } from './common/graphql-errors';
import { graphqlRules } from './common/graphql-rules';
import { GRAPHQL_PATH, GraphqlWsServer } from './common/graphql-ws';
import { RetentionService } from './retention/retention.service';
import { destination } from 'pino';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { KnownFieldsPipe } from './common/known-fields';
import { Loaders, type GqlContext } from './common/loaders';
import type { ApiConfig } from './config';
import { DbModule, REDIS } from './db/db.module';
import { HealthController } from './health/health.controller';
import { GraphLoaderSource } from './hosts/loader-source';
import { HostsModule } from './hosts/hosts.module';
import { GroupsModule } from './groups/groups.module';
import { NetworksModule } from './networks/networks.module';
import { VmsModule } from './vms/vms.module';
import { ConfigModule } from './config.module';
import { AuthModule } from './auth/auth.module';
import { ThrottlerModule } from '@nestjs/throttler';
import { RedisThrottlerStorage } from './auth/throttle.storage';
import { SecretsModule } from './secrets/secrets.module';
import { DriftModule } from './drift/drift.module';
import { JobsModule } from './jobs/jobs.module';
import { MetricsModule } from './metrics/metrics.module';
import { ResultConsumer } from './jobs/result.consumer';
import { OperationsModule } from './operations/operations.module';
import { PlacementModule } from './placement/placement.module';
import { SriovModule } from './sriov/sriov.module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RedisClient } from '@netpin/db';

export interface AppOptions {
  config: ApiConfig;
  /** Run the outbox relay and result consumer (false for schema generation). */
  background?: boolean;
  /** Where code-first GraphQL writes the SDL; false keeps it in memory. */
  schemaFile?: string | false;
  db?: DbOptions;
}

/** pino for every request: a request id (the caller's if well-formed, echoed back), secrets redacted, async writes. */
function loggerModule(config: ApiConfig): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: [
      {
        level: config.LOG_LEVEL,
        genReqId: (req: IncomingMessage, res: ServerResponse) => {
          const given = req.headers['x-request-id'];
          const id = typeof given === 'string' && /^[A-Za-z0-9_.-]{1,128}$/.test(given) ? given : randomUUID();
          // echoed so a caller can find its request in operations and agent logs
          res.setHeader('x-request-id', id);
          return id;
        },
        redact: ['req.headers.authorization', 'req.headers.cookie'],
        autoLogging: { ignore: (req: IncomingMessage) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
      },
      // asynchronous writes: a log line per request must not cost a write(2) on the event loop;
      // lines written meanwhile go out together, and pino flushes what is left when the process exits
      destination({ dest: 1, sync: false }),
    ],
  });
}

/** Code-first GraphQL over HTTP, with the request's DataLoaders in its context. */
function graphqlModule(opts: AppOptions): DynamicModule {
  const { config } = opts;
  return GraphQLModule.forRootAsync<ApolloDriverConfig>({
    driver: ApolloDriver,
    imports: [HostsModule],
    inject: [GraphLoaderSource],
    useFactory: (loaderSource: GraphLoaderSource) => ({
      autoSchemaFile: opts.schemaFile || true,
      path: GRAPHQL_PATH,
      sortSchema: true,
      introspection: config.NETPIN_GRAPHQL_INTROSPECTION,
      playground: false,
      graphiql: config.NETPIN_GRAPHQL_PLAYGROUND,
      includeStacktraceInErrorResponses: false,
      formatError,
      // no cache hints are used: the default cache-control plugin would only add a hook to every field resolved
      plugins: [ApolloServerPluginCacheControlDisabled()],
      // GraphQL over WebSocket is served by GraphqlWsServer, with the same rules
      validationRules: graphqlRules(config),
      context: ({ req }: { req: GqlContext['req'] }): GqlContext => ({ req, loaders: new Loaders(loaderSource) }),
    }),
  });
}

@Module({})
export class AppModule {
  static forRoot(opts: AppOptions): DynamicModule {
    const { config } = opts;
    return {
      module: AppModule,
      imports: [
        loggerModule(config),
        DbModule.forRoot({
          databaseUrl: config.DATABASE_URL,
          redisUrl: config.REDIS_URL,
          db: opts.db,
          placement: { strategy: config.NETPIN_PLACEMENT_STRATEGY },
        }),
        graphqlModule(opts),
        ConfigModule.forRoot(config, { background: opts.background ?? true }),
        // counters in Redis: one budget per token across every API process
        ThrottlerModule.forRootAsync({
          inject: [REDIS],
          useFactory: (redis: RedisClient) => ({
            throttlers: [{ name: 'per-minute', ttl: 60_000, limit: config.NETPIN_RATE_LIMIT_PER_MINUTE }],
            storage: new RedisThrottlerStorage(redis, config.NETPIN_QUEUE_PREFIX),
          }),
        }),
        AuthModule,
        JobsModule,
        MetricsModule,
        PlacementModule,
        OperationsModule,
        HostsModule,
        NetworksModule,
        GroupsModule,
        VmsModule,
        DriftModule,
        SriovModule,
        SecretsModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_FILTER, useClass: DomainErrorFilter },
        { provide: APP_PIPE, useClass: KnownFieldsPipe },
        ResultConsumer,
        GraphqlWsServer,
        RetentionService,
      ],
    };
  }
}
