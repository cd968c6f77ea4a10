export { writeIso, resolveTimestamp } from './write-iso.js';
export type { WriteIsoOptions, IsoSummary } from './write-iso.js';
export type { IsoTree, IsoNode, IsoBufferFile, IsoPathFile, IsoDirectory } from './tree.js';
export { MAX_FILE_SIZE } from './build-entries.js';
