import { Inject, Injectable } from '@nestjs/common';
import { listArgsSchema, parseInput } from '@netpin/contracts';
import { DriftRepository } from '@netpin/db';
import { z } from 'zod';
import type { DriftEvent } from './drift.model';

const filterSchema = listArgsSchema({
  hostId: z.uuid('hostId must be a UUID').optional(),
  vmId: z.uuid('vmId must be a UUID').optional(),
  open: z.boolean().optional(),
  first: z.number().int().min(1, 'first must be between 1 and 500').max(500, 'first must be between 1 and 500').default(100),
});

@Injectable()
export class DriftQueryService {
  constructor(@Inject(DriftRepository) private readonly drift: DriftRepository) {}

  list(filter: { hostId?: string; vmId?: string; open?: boolean; first?: number }): Promise<DriftEvent[]> {
    return this.drift.list(parseInput(filterSchema, filter));
  }
}
