export { renderJunit, failureText } from './junit.js';
export { renderSummary, lastLines } from './summary.js';
export { renderHtmlReport } from './html-report.js';
export { writeJunit, writeHtmlReport } from './write-report.js';
