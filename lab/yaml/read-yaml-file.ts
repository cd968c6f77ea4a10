import { Composer, LineCounter, Parser, YAMLParseError, type CST, type Document } from 'yaml';
import { InvalidFileError, type Problem } from '../errors/index.js';
import { aliasProblems } from './alias-limits.js';
import { clip } from './locate.js';
import { decodeText } from './decode-text.js';
import { cstDepthProblem, lexicalDepthProblem } from './nesting-depth.js';
import { readFileBytes, wholeFileProblem } from './read-text-file.js';

/** A parsed YAML file that remembers where everything came from. */
export interface YamlSource {
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** The document as plain data (aliases expanded), checked safe to walk. */
  data: unknown;
}

function yamlErrorMessage(code: string, message: string): string {
  const first = clip(message.split('\n')[0] ?? message);
  if (code === 'DUPLICATE_KEY') return `duplicate key: ${first.replace(/^Map keys must be unique.*$/, 'a mapping may hold each key once')}`;
  return `YAML syntax error: ${first}`;
}

/** The one document of a stream: a second one is an error at its start. */
function compose(tokens: CST.Token[], text: string): Document.Parsed {
  const composer = new Composer({ uniqueKeys: true, prettyErrors: false, logLevel: 'error' });
  const [doc, second] = [...composer.compose(tokens, true, text.length)];
  if (second) doc!.errors.push(new YAMLParseError(second.range.slice(0, 2) as [number, number], 'MULTIPLE_DOCS', 'a scenario holds one document: remove the second ---'));
  return doc!;
}

/** Line starts for positions, when the parser (which records them) has not run. */
function lineCounterFor(text: string): LineCounter {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines.addNewLine(at + 1);
  return lines;
}

function fail(file: string, lines: LineCounter, found: { offset: number; message: string }[]): never {
  const problems: Problem[] = found.map(({ offset, message }) => ({ file, ...lines.linePos(offset), message }));
  throw new InvalidFileError(problems);
}

/**
 * Parses YAML text. Syntax errors, duplicate keys, nesting deeper than MAX_DEPTH (or block items
 * indented past MAX_INDENT, before the parser recurses into them) and alias abuse
 * (undefined, self-containing, exploding) become positioned problems; no input makes it recurse
 * without bound or expand without bound.
 */
export function parseYamlText(file: string, text: string): YamlSource {
  const lines = new LineCounter();
  const lexical = lexicalDepthProblem(text);
  if (lexical) fail(file, lineCounterFor(text), [lexical]);
  const tokens = [...new Parser(lines.addNewLine).parse(text)];
  const deep = cstDepthProblem(tokens);
  if (deep) fail(file, lines, [deep]);
  const doc = compose(tokens, text);
  const errors = doc.errors.map((error) => ({ offset: error.pos[0], message: yamlErrorMessage(error.code, error.message) }));
  if (errors.length > 0) fail(file, lines, errors);
  if (doc.contents === null) throw wholeFileProblem(file, 'is empty: expected a YAML mapping');
  const aliases = aliasProblems(doc);
  if (aliases.length > 0) fail(file, lines, aliases);
  // maxAliasCount -1: aliasProblems has bounded them, with positions (see alias-limits.ts).
  return { file, text, doc, lines, data: doc.toJS({ maxAliasCount: -1 }) };
}

/** Reads and parses a YAML file with clear errors for anything that is not a small text file of YAML. */
export async function readYamlFile(file: string): Promise<YamlSource> {
  return parseYamlText(file, decodeText(file, await readFileBytes(file)));
}
