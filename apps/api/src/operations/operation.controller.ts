import { Allow } from '../auth/auth.decorators';
import { Controller, Get, Param, Query, Sse, UseGuards, type MessageEvent } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Observable } from 'rxjs';
import { ErrorBody } from '../common/error-body';
import { queryInt, queryStr } from '../common/query';
import { Operation, OperationConnection } from './operation.model';
import { OperationEvents } from './operation.events';
import { OperationExistsGuard } from './operation-exists.guard';
import { OperationService } from './operation.service';

@ApiTags('operations')
@Allow('VIEWER')
@Controller('operations')
export class OperationController {
  constructor(
    private readonly service: OperationService,
    private readonly events: OperationEvents,
  ) {}

  @Get()
  @ApiOkResponse({ type: OperationConnection, description: 'Newest first' })
  @ApiQuery({ name: 'state', required: false })
  @ApiQuery({ name: 'targetId', required: false })
  @ApiQuery({ name: 'kind', required: false })
  @ApiQuery({ name: 'first', required: false, type: Number })
  @ApiQuery({ name: 'after', required: false })
  list(
    @Query('state') state?: string,
    @Query('targetId') targetId?: string,
    @Query('kind') kind?: string,
    @Query('first') first?: string,
    @Query('after') after?: string,
  ): Promise<OperationConnection> {
    return this.service.list({
      state: queryStr(state),
      targetId: queryStr(targetId),
      kind: queryStr(kind),
      first: queryInt(first, 'first'),
      after: queryStr(after),
    });
  }

  @Get(':id')
  @ApiOkResponse({ type: Operation })
  @ApiNotFoundResponse({ type: ErrorBody })
  get(@Param('id') id: string): Promise<Operation> {
    return this.service.get(id);
  }

  /** Server-sent events: the current state first, then every update until it finishes. */
  @Sse(':id/events')
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'text/event-stream of Operation objects (event: operation)' })
  @ApiNotFoundResponse({ type: ErrorBody })
  @UseGuards(OperationExistsGuard)
  async events$(@Param('id') id: string): Promise<Observable<MessageEvent>> {
    const first = await this.service.get(id);
    return new Observable<MessageEvent>((sub) => {
      const abort = new AbortController();
      sub.next({ type: 'operation', data: first });
      const finished = (op: Operation): boolean => op.state === 'SUCCEEDED' || op.state === 'FAILED';
      if (finished(first)) {
        sub.complete();
        return () => undefined;
      }
      void (async () => {
        for await (const op of this.events.stream(id, abort.signal)) {
          sub.next({ type: 'operation', data: op });
          if (finished(op)) break;
        }
        sub.complete();
      })();
      return () => abort.abort();
    });
  }
}
