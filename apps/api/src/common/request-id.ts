import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import { randomUUID } from 'node:crypto';

/** The request id pino-http assigned (or the caller's X-Request-Id); it travels into jobs and agent logs. */
export const RequestId = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const req =
    ctx.getType<GqlContextType>() === 'graphql'
      ? GqlExecutionContext.create(ctx).getContext<{ req?: { id?: unknown } }>().req
      : ctx.switchToHttp().getRequest<{ id?: unknown }>();
  return typeof req?.id === 'string' || typeof req?.id === 'number' ? String(req.id) : randomUUID();
});
