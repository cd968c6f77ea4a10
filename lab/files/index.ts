export { withAtomicOutput, writeFileAtomic, assertParentDirectory, temporarySibling } from './atomic-output.js';
export type { AtomicOutputOptions } from './atomic-output.js';
