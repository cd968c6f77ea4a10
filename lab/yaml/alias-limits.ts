import { isAlias, isCollection, isPair, type Document, type Node } from 'yaml';
import { MAX_DEPTH } from './nesting-depth.js';

/**
 * Limits on anchors and aliases, checked before the document becomes data. They replace the
 * yaml library's `maxAliasCount`, which names no position, counts uses rather than what they
 * expand to, and walks the whole document again for every alias it checks.
 */
export const MAX_ALIASES = 1000;
export const MAX_ANCHORS = 1000;
/** Values (scalars, lists, mappings) all aliases together may add to the document. */
export const MAX_EXPANDED = 100_000;

export interface NodeProblem {
  offset: number;
  message: string;
}

/** What a node stands for once its aliases are expanded. */
interface Measure {
  size: number;
  depth: number;
  collection: boolean;
}

const SCALAR: Measure = { size: 1, depth: 0, collection: false };

class AliasWalk {
  readonly problems: NodeProblem[] = [];
  private readonly anchors = new Map<string, Node>();
  private readonly measured = new Map<Node, Measure>();
  private aliases = 0;
  private anchorCount = 0;
  private expanded = 0;
  private stopped = false;

  private report(node: Node, message: string, stop = false): Measure {
    this.problems.push({ offset: node.range?.[0] ?? 0, message });
    this.stopped ||= stop;
    return SCALAR;
  }

  private alias(node: Node & { source: string }, depth: number): Measure {
    if (++this.aliases > MAX_ALIASES) return this.report(node, `more than ${MAX_ALIASES} aliases: write the values out instead`, true);
    const target = this.anchors.get(node.source);
    if (!target) return this.report(node, `alias *${node.source} has no anchor &${node.source} before it`);
    const measure = this.measured.get(target);
    if (!measure) return this.report(node, `alias *${node.source} is inside the value its anchor &${node.source} marks: it would contain itself`);
    this.expanded += measure.size;
    if (this.expanded > MAX_EXPANDED) {
      return this.report(node, `aliases here expand the document by more than ${MAX_EXPANDED} values (an alias bomb?): write the values out instead`, true);
    }
    if (depth + measure.depth > MAX_DEPTH) return this.report(node, `alias *${node.source} nests values more than ${MAX_DEPTH} levels deep`, true);
    return measure;
  }

  private key(key: Node | null, depth: number): Measure {
    const measure = this.measure(key, depth);
    if (key && measure.collection) this.report(key, 'a key must be a plain value, not a list or a mapping');
    return measure;
  }

  private collection(node: Node & { items: unknown[] }, depth: number): Measure {
    let size = 1;
    let deepest = 0;
    for (const item of node.items) {
      const parts = isPair(item) ? [this.key(item.key as Node | null, depth + 1), this.measure(item.value as Node | null, depth + 1)] : [this.measure(item as Node, depth + 1)];
      for (const part of parts) {
        size += part.size;
        deepest = Math.max(deepest, part.depth);
      }
    }
    return { size, depth: deepest + 1, collection: true };
  }

  /** Walks in document order (the order the yaml library resolves aliases in). */
  measure(node: Node | null, depth = 0): Measure {
    if (!node || this.stopped) return SCALAR;
    if (isAlias(node)) return this.alias(node, depth);
    if (node.anchor) {
      if (++this.anchorCount > MAX_ANCHORS) return this.report(node, `more than ${MAX_ANCHORS} anchors`, true);
      this.anchors.set(node.anchor, node);
    }
    const measure = isCollection(node) ? this.collection(node, depth) : SCALAR;
    this.measured.set(node, measure);
    return measure;
  }
}

/** Undefined, self-containing and exploding aliases, and keys that are lists or mappings. */
export function aliasProblems(doc: Document.Parsed): NodeProblem[] {
  const walk = new AliasWalk();
  walk.measure(doc.contents);
  return walk.problems;
}
