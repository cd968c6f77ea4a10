export { AtomlabError, InvalidFileError, exitCodeFor, formatProblem } from './atomlab-error.js';
export type { ErrorCode, ErrorContext, AtomlabErrorOptions, Problem } from './atomlab-error.js';
export { isNoSpace, noSpaceError } from './no-space.js';
