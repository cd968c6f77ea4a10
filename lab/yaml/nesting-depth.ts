import type { CST } from 'yaml';

/** Deeper than this is not a hand-written file; the composer, toJS and zod all recurse per level. */
export const MAX_DEPTH = 64;

/** The tokens a collection token holds, one level deeper. */
function children(token: CST.Token): CST.Token[] {
  if (token.type === 'document') return token.value ? [token.value] : [];
  if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection') return [];
  return token.items.flatMap((item: CST.CollectionItem) => [item.key, item.value].filter((t): t is CST.Token => Boolean(t)));
}

/**
 * The offset of the first node (in document order) nested more than `limit` lists and mappings deep, found without
 * recursion (the parser builds any depth; everything after it recurses).
 */
export function tooDeepAt(tokens: readonly CST.Token[], limit = MAX_DEPTH): number | undefined {
  const stack: [CST.Token, number][] = tokens.map((token): [CST.Token, number] => [token, 0]).reverse();
  while (stack.length > 0) {
    const [token, depth] = stack.pop()!;
    const collection = token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection';
    const level = collection ? depth + 1 : depth;
    if (level > limit) return token.offset;
    for (const child of children(token).reverse()) stack.push([child, level]);
  }
  return undefined;
}
