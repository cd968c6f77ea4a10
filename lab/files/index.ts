export { withAtomicOutput, writeFileAtomic, assertParentDirectory, temporarySibling, removeStaleTemporaries } from './atomic-output.js';
export type { AtomicOutputOptions } from './atomic-output.js';
export { acquireLock } from './pid-lock.js';
export type { PidLockOptions } from './pid-lock.js';
export { followFile } from './follow-file.js';
export { pidAlive, terminate, processesUsing } from './processes.js';
