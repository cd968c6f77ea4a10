export { renderJunit, failureText } from './junit.js';
export { renderSummary } from './summary.js';
export { writeJunit } from './write-report.js';
