export { readYamlFile, parseYamlText } from './read-yaml-file.js';
export type { YamlSource } from './read-yaml-file.js';
export { MAX_YAML_BYTES } from './read-text-file.js';
export { MAX_DEPTH } from './nesting-depth.js';
export { MAX_ALIASES, MAX_ANCHORS, MAX_EXPANDED } from './alias-limits.js';
export { locate, positionOf, keyPosition, valuePosition, formatPath } from './locate.js';
export type { PathSegment } from './locate.js';
export { validateWithSchema, sortProblems } from './zod-problems.js';
export { closest, didYouMean } from './did-you-mean.js';
