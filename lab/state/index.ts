export { labPaths, labStateDir } from './lab-paths.js';
export type { LabPaths } from './lab-paths.js';
export { StateStore, readState, UnreadableStateError, STATE_VERSION } from './state-store.js';
export { acquireLabLock } from './lab-lock.js';
export type { LabState, VmRecord, LoginCheck, RecordedResource } from './lab-state.js';
export { labStateDirs, matrixStateDir } from './matrix-dirs.js';
export type { StateDirEntry } from './matrix-dirs.js';
