import { CST, Lexer } from 'yaml';

/** Deeper than this is not a hand-written file; the composer, toJS and zod all recurse per level. */
export const MAX_DEPTH = 64;
/**
 * Block collections nest by indentation: a level takes at least one column (a sequence under a
 * key may share its key's), so limiting where block items start limits their depth before the
 * yaml parser, which recurses per open block collection, sees them.
 */
export const MAX_INDENT = 2 * MAX_DEPTH;

export interface DepthProblem {
  offset: number;
  message: string;
}

const TOO_DEEP = `nested too deeply: more than ${MAX_DEPTH} levels of lists and mappings`;
const MARKERS = new Set([CST.DOCUMENT, CST.FLOW_END]);

/** What the lexer says, checked token by token without building anything: flow depth and block indentation. */
export function lexicalDepthProblem(text: string): DepthProblem | undefined {
  let [offset, col, flow, lineStart, scalar] = [0, 0, 0, true, false];
  for (const token of new Lexer().lex(text)) {
    if (MARKERS.has(token)) continue;
    if (token === CST.SCALAR) {
      scalar = true;
      continue;
    }
    const type = scalar ? 'scalar' : CST.tokenType(token);
    scalar = false;
    if (type === 'flow-seq-start' || type === 'flow-map-start') flow++;
    if (type === 'flow-seq-end' || type === 'flow-map-end') flow = Math.max(0, flow - 1);
    if (flow > MAX_DEPTH) return { offset, message: TOO_DEEP };
    const blockItem = type === 'seq-item-ind' || type === 'explicit-key-ind' || (lineStart && type !== 'space' && type !== 'newline' && type !== 'comment');
    if (flow === 0 && blockItem && col > MAX_INDENT) return { offset, message: `nested too deeply: indented more than ${MAX_INDENT} columns` };
    const newline = token.lastIndexOf('\n');
    col = newline === -1 ? col + token.length : token.length - newline - 1;
    offset += token.length;
    if (newline !== -1 && newline === token.length - 1) lineStart = true;
    else if (type !== 'space') lineStart = false;
  }
  return undefined;
}

/** The tokens a collection token holds, one level deeper. */
function children(token: CST.Token): CST.Token[] {
  if (token.type === 'document') return token.value ? [token.value] : [];
  if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection') return [];
  return token.items.flatMap((item: CST.CollectionItem) => [item.key, item.value].filter((t): t is CST.Token => Boolean(t)));
}

/**
 * The first node (in document order) nested more than MAX_DEPTH lists and mappings deep, found
 * without recursion.
 */
export function cstDepthProblem(tokens: readonly CST.Token[]): DepthProblem | undefined {
  const stack: [CST.Token, number][] = tokens.map((token): [CST.Token, number] => [token, 0]).reverse();
  while (stack.length > 0) {
    const [token, depth] = stack.pop()!;
    const level = CST.isCollection(token) ? depth + 1 : depth;
    if (level > MAX_DEPTH) return { offset: token.offset, message: TOO_DEEP };
    for (const child of children(token).reverse()) stack.push([child, level]);
  }
  return undefined;
}
