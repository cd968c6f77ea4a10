import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AtomlabError, InvalidFileError, type Problem } from '../errors/index.js';
import { packagePath } from '../paths/index.js';
import { readYamlFile, validateWithSchema, valuePosition, closest, type YamlSource } from '../yaml/index.js';
import { CatalogEntrySchema, type CatalogEntry } from './catalog-schema.js';

export interface Catalog {
  entries: CatalogEntry[];
  get(id: string): CatalogEntry | undefined;
  ids(): string[];
}

function entryProblems(source: YamlSource, entry: CatalogEntry): Problem[] {
  const problems: Problem[] = [];
  const at = (key: string, message: string) => {
    const { line, col } = valuePosition(source, [key]);
    problems.push({ file: source.file, line, col, message });
  };
  const expectedId = basename(source.file).replace(/\.ya?ml$/, '');
  if (entry.id !== expectedId) at('id', `id "${entry.id}" must match the file name "${expectedId}"`);
  const sources = [entry.url, entry.recipe, entry.stream].filter((value) => value !== undefined).length;
  if (sources !== 1) at('id', 'an entry needs exactly one of url, recipe or stream');
  if (!entry.stream && (!entry.format || !entry.compression)) at('id', 'an entry with url or recipe needs format and compression');
  if (entry.config === 'ignition' && !entry.ignition) at('config', 'config: ignition needs the spec version to write (ignition: 3.3.0)');
  if (entry.url?.startsWith('http') && !entry.digest && !entry.checksumUrl) {
    at('url', 'a remote image needs a digest or a checksumUrl');
  }
  if (entry.signatureUrl && !entry.key) at('signatureUrl', 'a signatureUrl needs the signing key (key: FILE in images/keys/)');
  return problems;
}

async function loadEntry(file: string): Promise<{ entry?: CatalogEntry; problems: Problem[] }> {
  const source = await readYamlFile(file);
  const result = validateWithSchema(source, CatalogEntrySchema);
  if (!result.data) return { problems: result.problems };
  return { entry: result.data, problems: entryProblems(source, result.data) };
}

/** Loads every images/*.yaml; any invalid entry fails the whole load with all problems. */
export async function loadCatalog(dir = packagePath('images')): Promise<Catalog> {
  const files = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).sort();
  const loaded = await Promise.all(
    files.map((name) => loadEntry(join(dir, name)).catch((error: unknown) => ({ entry: undefined, problems: problemsOf(error) }))),
  );
  const problems = loaded.flatMap((item) => item.problems);
  if (problems.length > 0) throw new InvalidFileError(problems, { hint: 'the image catalog is part of atomlab: report this' });
  const entries = loaded.flatMap((item) => (item.entry ? [item.entry] : []));
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  return { entries, get: (id) => byId.get(id), ids: () => [...byId.keys()] };
}

function problemsOf(error: unknown): Problem[] {
  if (error instanceof InvalidFileError) return error.problems;
  throw error;
}

/** The entry for an id, or a NOT_FOUND error with a suggestion. */
export function catalogEntry(catalog: Catalog, id: string): CatalogEntry {
  const entry = catalog.get(id);
  if (entry) return entry;
  const suggestion = closest(id, catalog.ids());
  throw new AtomlabError(`unknown image "${id}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`, {
    code: 'NOT_FOUND',
    hint: 'list the catalog with `atomlab images ls --catalog`, or give a URL or a path to an image',
  });
}
