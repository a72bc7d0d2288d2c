import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { OperationService } from './operation.service';

/**
 * The operation a route's `:id` names must exist before an @Sse() handler runs: Nest starts
 * that answer (200, text/event-stream) without waiting for the handler, so an unknown id
 * found there could only be an "error" event. Guards are awaited first: here it is a
 * 404 NOT_FOUND body like GET /operations/:id answers.
 */
@Injectable()
export class OperationExistsGuard implements CanActivate {
  constructor(@Inject(OperationService) private readonly service: OperationService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const { params } = ctx.switchToHttp().getRequest<{ params: { id?: string } }>();
    await this.service.get(params.id ?? '');
    return true;
  }
}
