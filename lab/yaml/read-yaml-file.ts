import { readFile, stat } from 'node:fs/promises';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { AtomlabError, InvalidFileError, type Problem } from '../errors/index.js';

/** A parsed YAML file that remembers where everything came from. */
export interface YamlSource {
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

/** Files larger than this are not scenarios or catalog entries. */
const MAX_BYTES = 4 * 1024 * 1024;

function problemAt(file: string, line: number, col: number, message: string): InvalidFileError {
  return new InvalidFileError([{ file, line, col, message }]);
}

async function readText(file: string): Promise<string> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') {
      throw new AtomlabError(`${file}: no such file`, {
        code: 'BAD_INPUT',
        hint: 'name an existing scenario file, or create one with `atomlab init`',
        context: { file },
      });
    }
    throw new AtomlabError(`${file}: cannot read (${error.code ?? error.message})`, { code: 'BAD_INPUT', cause: error, context: { file } });
  });
  if (info.isDirectory()) throw problemAt(file, 1, 1, 'is a directory, not a YAML file');
  if (info.size > MAX_BYTES) throw problemAt(file, 1, 1, `is ${info.size} bytes: too large for a YAML file (limit ${MAX_BYTES})`);
  const bytes = await readFile(file);
  if (bytes.includes(0)) throw problemAt(file, 1, 1, 'is a binary file, not YAML text');
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (text.includes('\uFFFD')) throw problemAt(file, 1, 1, 'is not UTF-8 text');
  return text;
}

/** Parses YAML text; syntax errors and duplicate keys become positioned problems. */
export function parseYamlText(file: string, text: string): YamlSource {
  if (text.trim() === '' || /^(\s*#.*\n?)*\s*$/.test(text)) {
    throw problemAt(file, 1, 1, 'is empty: expected a YAML mapping');
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const problems: Problem[] = doc.errors.map((error) => {
    const { line, col } = lines.linePos(error.pos[0]);
    return { file, line, col, message: yamlErrorMessage(error.code, error.message) };
  });
  if (problems.length > 0) throw new InvalidFileError(problems);
  return { file, text, doc, lines };
}

function yamlErrorMessage(code: string, message: string): string {
  const first = message.split('\n')[0] ?? message;
  if (code === 'DUPLICATE_KEY') return `duplicate key: ${first.replace(/^Map keys must be unique.*$/, 'a mapping may hold each key once')}`;
  return `YAML syntax error: ${first}`;
}

/** Reads and parses a YAML file with clear errors for missing, empty, binary and directory inputs. */
export async function readYamlFile(file: string): Promise<YamlSource> {
  return parseYamlText(file, await readText(file));
}
