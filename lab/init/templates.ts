import { readdir, readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { parseDocument } from 'yaml';
import { AtomlabError } from '../errors/index.js';
import { packagePath } from '../paths/index.js';

/** A scenario template users start from (`templates/NAME.yaml`). */
export interface TemplateInfo {
  name: string;
  /** Its first comment line: what it is, and what it needs that a plain machine lacks. */
  title: string;
  file: string;
}

/** What the wizard fills into a template; unset answers keep the template's own choice. */
export interface TemplateAnswers {
  name: string;
  provider?: string;
  password?: string;
}

/** Every template, by name. */
export async function listTemplates(): Promise<TemplateInfo[]> {
  const dir = packagePath('templates');
  const files = (await readdir(dir)).filter((file) => file.endsWith('.yaml')).sort();
  return Promise.all(
    files.map(async (file) => {
      const first = (await readFile(`${dir}/${file}`, 'utf8')).split('\n', 1)[0] ?? '';
      return { name: file.slice(0, -'.yaml'.length), title: first.replace(/^#\s*/, ''), file: `${dir}/${file}` };
    }),
  );
}

export async function findTemplate(name: string): Promise<TemplateInfo> {
  const templates = await listTemplates();
  const found = templates.find((t) => t.name === name);
  if (!found) throw new AtomlabError(`no template named ${name}`, { code: 'BAD_INPUT', hint: `templates: ${templates.map((t) => t.name).join(', ')} (atomlab init --list)` });
  return found;
}

/**
 * The template with the answers filled in, through the YAML library (its comments kept), and
 * its schema comment pointing at the package's schema from where the file is written.
 */
export async function renderTemplate(template: TemplateInfo, answers: TemplateAnswers, dir: string): Promise<string> {
  const doc = parseDocument(await readFile(template.file, 'utf8'));
  doc.set('name', answers.name);
  if (answers.provider && doc.hasIn(['defaults', 'provider'])) doc.setIn(['defaults', 'provider'], answers.provider);
  if (answers.provider && !doc.hasIn(['defaults', 'provider']) && !doc.has('matrix')) doc.setIn(['defaults', 'provider'], answers.provider);
  if (answers.password && doc.hasIn(['defaults', 'login'])) {
    doc.setIn(['defaults', 'login', 'password'], doc.createNode(answers.password)); // a new node: the template's comment on it no longer applies
  }
  const schema = relative(dir, packagePath('schema', 'scenario.schema.json')) || 'scenario.schema.json';
  doc.commentBefore = (doc.commentBefore ?? '').replace(/yaml-language-server: \$schema=\S+/, `yaml-language-server: $schema=${schema}`);
  return doc.toString({ lineWidth: 0 });
}
