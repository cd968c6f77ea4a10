export { waitReady, NotReadyError } from './wait-ready.js';
export type { ReadyOptions, ReadyResult } from './wait-ready.js';
export { STAGES, IGNITION_STAGE, IGNITION_RESULT, stagesFor, hostKeyFingerprint } from './stages.js';
export type { Stage, ReadyTarget, Attempt, StageContext } from './stages.js';
export { CONSOLE_SIGNATURES, matchSignature } from './console-signatures.js';
export type { ConsoleSignature } from './console-signatures.js';
export { ConsoleWatch } from './console-watch.js';
export { realClock } from './clock.js';
export type { Clock } from './clock.js';
