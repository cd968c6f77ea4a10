export { labPaths, labStateDir } from './lab-paths.js';
export type { LabPaths } from './lab-paths.js';
export { StateStore, readState } from './state-store.js';
export { acquireLabLock } from './lab-lock.js';
export type { LabState, VmRecord, LoginCheck } from './lab-state.js';
