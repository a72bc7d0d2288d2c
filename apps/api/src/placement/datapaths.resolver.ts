import { Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../auth/auth.decorators';
import { DatapathInfo } from './datapath.model';
import { datapathInfos } from './datapaths';

@Resolver()
@Allow('VIEWER')
export class DatapathsResolver {
  @Query(() => [DatapathInfo], { description: 'Every datapath netpin can build, fastest first, with what it needs' })
  datapaths(): DatapathInfo[] {
    return datapathInfos();
  }
}
