export { ProgressRecorder, readProgress } from './progress-recorder.js';
export type { ProgressRecorderOptions } from './progress-recorder.js';
export type { LabProgress, StepProgress, VmProgress } from './progress-types.js';
