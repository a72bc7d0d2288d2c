import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppModule, type AppOptions } from './app.module';
import { securityHeaders } from './common/http-guards';
import { StartupQuietLogger } from './common/startup-logger';
import { ApiMetrics } from './metrics/api-metrics';
import { httpMetrics } from './metrics/http-metrics';

export const REST_PREFIX = 'api/v1';

export interface BuiltApp {
  app: NestExpressApplication;
  openapi: OpenAPIObject;
}

/** Build (not listen) the API: shared by main.ts, the integration tests and the schema script. */
export async function buildApp(opts: AppOptions & { bufferLogs?: boolean }): Promise<BuiltApp> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(opts), {
    bufferLogs: opts.bufferLogs ?? true,
    bodyParser: false,
  });
  app.useLogger(new StartupQuietLogger(app.get(Logger)));
  app.useBodyParser('json', { limit: opts.config.NETPIN_BODY_LIMIT });
  app.disable('x-powered-by');
  app.use(securityHeaders);
  const origins = (opts.config.NETPIN_CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  // same-origin only unless origins are listed (the web UI is served by the API itself)
  app.enableCors({
    origin: origins.length ? origins : false,
    allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-request-id'],
    exposedHeaders: ['x-request-id'],
  });
  app.use(httpMetrics(app.get(ApiMetrics)));
  // by method: a bare path would register /metrics for every verb (only GET exists)
  app.setGlobalPrefix(REST_PREFIX, { exclude: ['healthz', 'readyz', { path: 'metrics', method: RequestMethod.GET }] });
  const doc = new DocumentBuilder()
    .setTitle('netpin')
    .setDescription('Control plane for KVM virtual-machine networking. GraphQL at /graphql is the primary API; REST mirrors it.')
    .setVersion('0.1.0')
    .build();
  const openapi = SwaggerModule.createDocument(app, doc);
  SwaggerModule.setup('api/docs', app, openapi, { jsonDocumentUrl: 'api/docs-json', useGlobalPrefix: false });
  // the built admin UI (apps/web, hash-routed) is served from / when it exists
  // (next to the bundle in a build, dist/api/web; in the source tree, apps/web/dist)
  const web = opts.config.NETPIN_WEB_DIST ?? [resolve(__dirname, 'web'), resolve(__dirname, '../../web/dist')].find((d) => existsSync(d));
  if (web && existsSync(resolve(web, 'index.html'))) app.useStaticAssets(web, { index: 'index.html', fallthrough: true });
  return { app, openapi };
}
