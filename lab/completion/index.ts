export { completions } from './complete.js';
export { completionScript, SHELLS } from './shell-scripts.js';
export type { Shell } from './shell-scripts.js';
