import type { ProviderRegistry } from '../provider/index.js';
import { mkdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { loadCatalog } from '../catalog/index.js';
import { runDoctor } from '../doctor/index.js';
import { AtomlabError } from '../errors/index.js';
import { writeFileAtomic } from '../files/index.js';
import { defaultAnswers, providerChoices, type InitAnswers } from './answers.js';
import { askAnswers, askTemplate, askTemplateAnswers, type PromptIo } from './ask.js';
import { findTemplate, listTemplates, renderTemplate } from './templates.js';
import { renderScenario } from './render-scenario.js';

export interface InitOptions {
  /** The providers to offer (their probes say which work here). */
  providers: ProviderRegistry;
  /** Write the defaults without asking. */
  yes?: boolean;
  /** Overwrite an existing atomlab.yaml. */
  force?: boolean;
  /** Start from this template (templates/NAME.yaml) instead of a blank scenario. */
  template?: string;
  io?: PromptIo;
}

export interface InitResult {
  file: string;
  answers: InitAnswers;
  /** The template it started from, if any. */
  template?: string;
}

async function refuseOverwrite(file: string, force: boolean): Promise<void> {
  const exists = await stat(file).then(() => true, () => false);
  if (exists && !force) {
    throw new AtomlabError(`${file} exists already`, { code: 'BAD_INPUT', hint: 'use --force to overwrite it, or choose another directory', context: { file } });
  }
}

/** The scenario text: a template with the answers filled in, or one written from the answers. */
async function scenarioText(target: string, options: InitOptions): Promise<{ text: string; answers: InitAnswers; template?: string }> {
  const catalog = await loadCatalog();
  const defaults = defaultAnswers(basename(target), catalog.entries);
  const template = options.template ?? (options.yes ? undefined : await askTemplate(await listTemplates(), options.io));
  if (template) {
    const info = await findTemplate(template);
    const answers = options.yes ? defaults : await askTemplateAnswers(defaults, providerChoices(await runDoctor(options.providers)), options.io);
    const text = await renderTemplate(info, options.yes ? { name: answers.name } : { name: answers.name, provider: answers.provider, password: answers.password }, target);
    return { text, answers, template };
  }
  const answers = options.yes ? defaults : await askAnswers(defaults, catalog.entries, providerChoices(await runDoctor(options.providers)), options.io);
  return { text: renderScenario(answers, target), answers };
}

/** The wizard: asks (or takes the defaults), then writes DIR/atomlab.yaml, from a template or blank. */
export async function initLab(dir: string, options: InitOptions): Promise<InitResult> {
  const target = resolve(dir);
  const file = join(target, 'atomlab.yaml');
  await refuseOverwrite(file, options.force ?? false);
  const { text, answers, template } = await scenarioText(target, options);
  await mkdir(target, { recursive: true });
  await refuseOverwrite(file, options.force ?? false);
  const secret = /^\s+password: (?!generate\b)\S/m.test(text);
  await writeFileAtomic(file, text, { mode: secret ? 0o600 : 0o644 });
  return { file, answers, ...(template ? { template } : {}) };
}
