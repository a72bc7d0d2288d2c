import { ObjectType } from '@nestjs/graphql';
import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { Page } from '@netpin/db';
import { Prop } from './prop';

@ObjectType()
export class PageInfo {
  @Prop(String, { nullable: true }) endCursor!: string | null;
  @Prop(Boolean) hasNextPage!: boolean;
}

/** The GraphQL/REST connection shape of a repository page: nodes, pageInfo, totalCount. */
export function toConnection<T, N>(page: Page<T>, view: (item: T) => N): { nodes: N[]; pageInfo: PageInfo; totalCount: number | null } {
  return {
    nodes: page.items.map(view),
    pageInfo: { endCursor: page.endCursor, hasNextPage: page.hasNextPage },
    totalCount: page.totalCount,
  };
}

/**
 * Whether the GraphQL field being resolved selects `name` among its direct subfields (through
 * fragments too). A connection resolver counts its matches only when totalCount is asked for.
 */
export function selects(info: GraphQLResolveInfo, name: string): boolean {
  const seen = new Set<string>();
  const within = (set: SelectionSetNode | undefined): boolean =>
    (set?.selections ?? []).some((s) => {
      if (s.kind === Kind.FIELD) return s.name.value === name;
      if (s.kind === Kind.INLINE_FRAGMENT) return within(s.selectionSet);
      if (seen.has(s.name.value)) return false;
      seen.add(s.name.value);
      return within(info.fragments[s.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((f) => within(f.selectionSet));
}
