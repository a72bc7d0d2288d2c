import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, parseInput, VM_STATES } from '@netpin/contracts';
import { VmRepository } from '@netpin/db';
import { z } from 'zod';
import type { Vm, VmFilterInput } from './vm.model';

const vmFilterSchema = z.object({ hostId: z.uuid('hostId must be a UUID').optional(), state: z.enum(VM_STATES).optional() });

@Injectable()
export class VmService {
  constructor(@Inject(VmRepository) private readonly vms: VmRepository) {}

  list(filter: VmFilterInput | undefined): Promise<Vm[]> {
    return this.vms.list(parseInput(vmFilterSchema, filter ?? {}, 'filter'));
  }

  async get(id: string): Promise<Vm> {
    const vm = await this.vms.findById(id);
    if (!vm) throw new NotFoundError('vm', id);
    return vm;
  }
}
