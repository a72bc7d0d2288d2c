import { GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';
import { Prop } from '../common/prop';

@ObjectType({ description: 'A difference between a host and the state netpin wants there' })
export class DriftEvent {
  @Prop(ID) id!: string;
  @Prop(ID) hostId!: string;
  @Prop(ID, { nullable: true }) vmId!: string | null;
  @Prop(String, { description: 'e.g. irq.120.affinity, vf.ens1f0.3.vlan, domain.xml' }) field!: string;
  @Prop(String) expected!: string;
  @Prop(String) actual!: string;
  @Prop(GraphQLISODateTime) detectedAt!: Date;
  @Prop(GraphQLISODateTime, { nullable: true }) repairedAt!: Date | null;
  @Prop(ID, { nullable: true }) repairOpId!: string | null;
}
