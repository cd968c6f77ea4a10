import { writeFileAtomic } from '../files/index.js';
import type { RunReport } from '../steps/index.js';
import { renderHtmlReport } from './html-report.js';
import { renderJunit } from './junit.js';

/** Writes the JUnit XML atomically (a reader never sees half a report). */
export async function writeJunit(path: string, report: RunReport): Promise<void> {
  await writeFileAtomic(path, `${renderJunit(report)}\n`);
}

/** Writes the HTML report atomically. */
export async function writeHtmlReport(path: string, report: RunReport): Promise<void> {
  await writeFileAtomic(path, renderHtmlReport(report));
}
