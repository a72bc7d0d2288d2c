import { Inject, Injectable } from '@nestjs/common';
import { listArgsSchema, NotFoundError, parseInput, VM_STATES, type PlacementPlan } from '@netpin/contracts';
import { toPlanView } from '../placement/placement.service';
import { VmRepository, type VmRecord } from '@netpin/db';
import { z } from 'zod';
import type { Vm, VmFilterInput } from './vm.model';

export function toVmView(vm: VmRecord): Vm {
  return { ...vm, plan: vm.plan ? toPlanView(vm.plan as PlacementPlan) : null };
}

const vmFilterSchema = listArgsSchema({ hostId: z.uuid('hostId must be a UUID').optional(), state: z.enum(VM_STATES).optional() });

@Injectable()
export class VmService {
  constructor(@Inject(VmRepository) private readonly vms: VmRepository) {}

  async list(filter: VmFilterInput | undefined): Promise<Vm[]> {
    return (await this.vms.list(parseInput(vmFilterSchema, filter ?? {}, 'filter'))).map(toVmView);
  }

  async get(id: string): Promise<Vm> {
    const vm = await this.vms.findById(id);
    if (!vm) throw new NotFoundError('vm', id);
    return toVmView(vm);
  }
}
