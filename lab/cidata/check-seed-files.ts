import { parseDocument } from 'yaml';
import { InvalidFileError, type Problem } from '../errors/index.js';
import { isMapping } from './merge-cloud-config.js';

function problemsIn(text: string, file: string): Problem[] {
  const doc = parseDocument(text, { version: '1.1', prettyErrors: true });
  const problems = doc.errors.map((error): Problem => {
    const position = error.linePos?.[0] ?? { line: 1, col: 1 };
    const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    return { file, line: position.line, col: position.col, message };
  });
  const value: unknown = problems.length === 0 ? doc.toJS() : undefined;
  if (problems.length === 0 && value !== null && value !== undefined && !isMapping(value)) {
    problems.push({ file, line: 1, col: 1, message: 'expected a YAML mapping at the top level' });
  }
  return problems;
}

function reject(problems: Problem[], hint: string): void {
  if (problems.length > 0) throw new InvalidFileError(problems, { code: 'BAD_INPUT', hint });
}

/**
 * user-data that starts with `#cloud-config` must be a YAML mapping (other kinds, such as
 * scripts or MIME multipart, pass unchecked). Reports file:line:col.
 */
export function checkUserData(text: string, file: string): void {
  if (!text.startsWith('#cloud-config')) return;
  reject(problemsIn(text, file), 'cloud-init would ignore this user-data; fix the YAML');
}

/** meta-data is YAML (or JSON) holding a mapping, such as `instance-id: …`. */
export function checkMetaData(text: string, file: string): void {
  reject(problemsIn(text, file), 'meta-data must be a YAML mapping such as "instance-id: iid-1"');
}

/** A checked YAML (or JSON) file holding a mapping, as data; its problems as file:line:col. */
export function readMapping(text: string, file: string, hint: string): Record<string, unknown> {
  reject(problemsIn(text, file), hint);
  return (parseDocument(text, { version: '1.1' }).toJS() ?? {}) as Record<string, unknown>;
}
