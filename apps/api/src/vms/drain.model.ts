import { InputType, Int } from '@nestjs/graphql';
import { DRAIN_MAX_PARALLEL, DRAIN_STRATEGIES } from '@netpin/contracts';
import { defineEnum, Prop } from '../common/prop';

export const DrainStrategyEnum = defineEnum('DrainStrategy', DRAIN_STRATEGIES);

@InputType({ description: 'How to empty a host' })
export class DrainHostInput {
  @Prop(DrainStrategyEnum, {
    optional: true,
    defaultValue: 'LIVE_MIGRATE_IF_POSSIBLE',
    description:
      'LIVE_MIGRATE: live only (a VM that cannot is listed with the reason); LIVE_MIGRATE_IF_POSSIBLE: live, else cold (stop, move, start); STOP: stop every VM in place',
  })
  strategy?: string | null;
  @Prop(Int, { optional: true, defaultValue: 4, description: `VMs moved at the same time, 1-${DRAIN_MAX_PARALLEL}` })
  maxParallel?: number | null;
}
