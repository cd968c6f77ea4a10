import type { Problem } from '../errors/index.js';
import { formatPath, keyPosition, valuePosition, type PathSegment, type YamlSource } from '../yaml/index.js';

/** Problems found while resolving a plan, each pointed at its place in the YAML (once). */
export class ProblemList {
  readonly problems: Problem[] = [];
  private readonly seen = new Set<string>();
  constructor(private readonly source: YamlSource) {}

  at(path: PathSegment[], message: string, key?: string): void {
    const { line, col } = key ? keyPosition(this.source, path, key) : valuePosition(this.source, path);
    const id = `${line}:${col}:${message}`;
    if (this.seen.has(id)) return; // a defaults problem is found once per VM: report it once
    this.seen.add(id);
    this.problems.push({ file: this.source.file, line, col, message: `${formatPath(key ? [...path, key] : path)}: ${message}` });
  }
}
