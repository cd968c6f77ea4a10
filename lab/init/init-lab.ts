import type { ProviderRegistry } from '../provider/index.js';
import { mkdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { loadCatalog } from '../catalog/index.js';
import { runDoctor } from '../doctor/index.js';
import { AtomlabError } from '../errors/index.js';
import { writeFileAtomic } from '../files/index.js';
import { defaultAnswers, providerChoices, type InitAnswers } from './answers.js';
import { askAnswers, type PromptIo } from './ask.js';
import { renderScenario } from './render-scenario.js';

export interface InitOptions {
  /** The providers to offer (their probes say which work here). */
  providers: ProviderRegistry;
  /** Write the defaults without asking. */
  yes?: boolean;
  /** Overwrite an existing atomlab.yaml. */
  force?: boolean;
  io?: PromptIo;
}

export interface InitResult {
  file: string;
  answers: InitAnswers;
}

async function refuseOverwrite(file: string, force: boolean): Promise<void> {
  const exists = await stat(file).then(() => true, () => false);
  if (exists && !force) {
    throw new AtomlabError(`${file} exists already`, { code: 'BAD_INPUT', hint: 'use --force to overwrite it, or choose another directory', context: { file } });
  }
}

/** The wizard: asks (or takes the defaults), then writes DIR/atomlab.yaml. */
export async function initLab(dir: string, options: InitOptions): Promise<InitResult> {
  const target = resolve(dir);
  const file = join(target, 'atomlab.yaml');
  await refuseOverwrite(file, options.force ?? false);
  const catalog = await loadCatalog();
  const defaults = defaultAnswers(basename(target), catalog.entries);
  const answers = options.yes
    ? defaults
    : await askAnswers(defaults, catalog.entries, providerChoices(await runDoctor(options.providers)), options.io);
  await mkdir(target, { recursive: true });
  await refuseOverwrite(file, options.force ?? false);
  await writeFileAtomic(file, renderScenario(answers, target), { mode: answers.password && answers.password !== 'generate' ? 0o600 : 0o644 });
  return { file, answers };
}
