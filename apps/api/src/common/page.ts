import { ObjectType } from '@nestjs/graphql';
import type { Page } from '@netpin/db';
import { Prop } from './prop';

@ObjectType()
export class PageInfo {
  @Prop(String, { nullable: true }) endCursor!: string | null;
  @Prop(Boolean) hasNextPage!: boolean;
}

/** The GraphQL/REST connection shape of a repository page: nodes, pageInfo, totalCount. */
export function toConnection<T, N>(page: Page<T>, view: (item: T) => N): { nodes: N[]; pageInfo: PageInfo; totalCount: number } {
  return {
    nodes: page.items.map(view),
    pageInfo: { endCursor: page.endCursor, hasNextPage: page.hasNextPage },
    totalCount: page.totalCount,
  };
}
