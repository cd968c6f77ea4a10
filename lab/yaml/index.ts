export { readYamlFile, parseYamlText } from './read-yaml-file.js';
export type { YamlSource } from './read-yaml-file.js';
export { locate, positionOf, keyPosition, valuePosition, formatPath } from './locate.js';
export type { PathSegment } from './locate.js';
export { validateWithSchema, sortProblems } from './zod-problems.js';
export { closest, didYouMean } from './did-you-mean.js';
