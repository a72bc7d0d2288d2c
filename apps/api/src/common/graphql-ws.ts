import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { execute, getOperationAST, GraphQLError, parse, specifiedRules, subscribe, validate, type ExecutionArgs } from 'graphql';
import type { Context, SubscribePayload } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { IncomingMessage, Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { API_CONFIG, type ApiConfig } from '../config';
import { GraphLoaderSource } from '../hosts/loader-source';
import { formatExecutionError, withCode } from './graphql-errors';
import { bodyLimitBytes, graphqlRules } from './graphql-rules';
import { Loaders, type GqlContext } from './loaders';

export const GRAPHQL_PATH = '/graphql';

type Extra = { socket: WebSocket; request: IncomingMessage };
type WsContext = Context<Record<string, unknown> | undefined, Extra>;

/** Rate-limit headers have nowhere to go on a socket; the throttler still counts (and refuses). */
const noHeaders = { header: (): void => undefined, setHeader: (): void => undefined };

/** The request a resolver, guard or interceptor sees for one graphql-ws operation. */
export function wsRequest(ctx: WsContext): GqlContext['req'] & { ip?: string; res: typeof noHeaders } {
  const p = ctx.connectionParams ?? {};
  // browsers cannot set WebSocket headers: the token travels in connectionParams
  const authorization = p.authorization ?? p.Authorization;
  return {
    id: randomUUID(),
    headers: { authorization: typeof authorization === 'string' && authorization ? authorization : undefined },
    ip: ctx.extra.request.socket.remoteAddress,
    res: noHeaders,
  };
}

/**
 * GraphQL over WebSocket (graphql-ws) at /graphql, served by netpin rather than by the Apollo
 * driver so that it applies what HTTP applies: graphql's rules plus the depth, field and
 * introspection rules (graphqlRules), NETPIN_BODY_LIMIT as the largest message (a bigger one
 * closes the socket with 1009), the guards (token, role, rate limit: the request carries the
 * connection's token and address) and the same error codes and formatting. A syntax error
 * answers GRAPHQL_PARSE_FAILED instead of closing the connection.
 */
@Injectable()
export class GraphqlWsServer implements OnApplicationBootstrap, OnModuleDestroy {
  private dispose?: () => void | Promise<void>;
  private onUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(HttpAdapterHost) private readonly http: HttpAdapterHost,
    @Inject(GraphQLSchemaHost) private readonly schemaHost: GraphQLSchemaHost,
    @Inject(GraphLoaderSource) private readonly loaderSource: GraphLoaderSource,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.http.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server) return;
    const wss = new WebSocketServer({ noServer: true, maxPayload: bodyLimitBytes(this.config.NETPIN_BODY_LIMIT) });
    this.dispose = useServer<Record<string, unknown> | undefined, Extra>(
      {
        onSubscribe: (ctx, _id, payload) => this.prepare(ctx, payload),
        execute,
        subscribe,
        onNext: (_ctx, _id, _payload, _args, result) =>
          result.errors ? { ...result, errors: result.errors.map((e) => formatExecutionError(e as GraphQLError)) } : undefined,
      },
      wss,
    ).dispose;
    this.onUpgrade = (req, socket, head) => {
      if (new URL(req.url ?? '/', 'http://localhost').pathname !== GRAPHQL_PATH) return void socket.destroy();
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    };
    server.on('upgrade', this.onUpgrade);
  }

  /** Parse and validate as HTTP does; errors go back typed, the connection stays open. */
  private prepare(ctx: WsContext, payload: SubscribePayload): ExecutionArgs | readonly GraphQLError[] {
    const schema = this.schemaHost.schema;
    let document;
    try {
      document = parse(payload.query);
    } catch (e) {
      return [withCode(e instanceof GraphQLError ? e : new GraphQLError(String(e)), 'GRAPHQL_PARSE_FAILED')];
    }
    const invalid = validate(schema, document, [...specifiedRules, ...graphqlRules(this.config)]);
    if (invalid.length) return invalid.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED'));
    if (!getOperationAST(document, payload.operationName))
      return [
        new GraphQLError('the document names no operation to run (or not the one asked for)', {
          extensions: { code: 'OPERATION_RESOLUTION_FAILURE' },
        }),
      ];
    const contextValue: GqlContext = { req: wsRequest(ctx), loaders: new Loaders(this.loaderSource) };
    return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
  }

  async onModuleDestroy(): Promise<void> {
    const server = this.http.httpAdapter?.getHttpServer() as Server | undefined;
    if (this.onUpgrade) server?.off('upgrade', this.onUpgrade);
    await this.dispose?.();
    this.dispose = undefined;
  }
}
