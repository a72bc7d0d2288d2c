import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from 'graphql';

/**
 * Refuse documents nested deeper than `max` fields or with more than `maxFields` field
 * selections in total (fragments expanded), before anything executes: a cheap bound on
 * the work one request can ask for.
 */
export function queryLimits(max: number, maxFields = 2000): (ctx: ValidationContext) => ASTVisitor {
  return (ctx) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of ctx.getDocument().definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    let fields = 0;
    const walk = (set: SelectionSetNode | undefined, depth: number, seen: Set<string>): number => {
      if (!set) return depth;
      let deepest = depth;
      for (const s of set.selections) {
        if (s.kind === Kind.FIELD) {
          fields++;
          if (s.name.value.startsWith('__')) continue;
          deepest = Math.max(deepest, walk(s.selectionSet, depth + 1, seen));
        } else if (s.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, walk(s.selectionSet, depth, seen));
        } else {
          const f = fragments.get(s.name.value);
          if (f && !seen.has(f.name.value)) deepest = Math.max(deepest, walk(f.selectionSet, depth, new Set([...seen, f.name.value])));
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(node) {
        fields = 0;
        const depth = walk(node.selectionSet, 0, new Set());
        if (depth > max)
          ctx.reportError(
            new GraphQLError(`query depth ${depth} exceeds the limit of ${max}`, { nodes: [node], extensions: { code: 'BAD_USER_INPUT' } }),
          );
        if (fields > maxFields)
          ctx.reportError(
            new GraphQLError(`query selects ${fields} fields; the limit is ${maxFields}`, {
              nodes: [node],
              extensions: { code: 'BAD_USER_INPUT' },
            }),
          );
      },
    };
  };
}
