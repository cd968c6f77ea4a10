import { input, number, password as passwordPrompt, select } from '@inquirer/prompts';
import type { CatalogEntry } from '../catalog/index.js';
import { SIZE_PATTERN } from '../sizes/index.js';
import { imageChoices, sanitizeName, type InitAnswers, type ProviderChoice } from './answers.js';
import type { TemplateInfo } from './templates.js';

/** Streams for the prompts: the terminal by default, others in tests. */
export interface PromptIo {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/;
const USER = /^[a-z_][a-z0-9_-]{0,31}$/;

async function askPassword(io: PromptIo): Promise<string> {
  const mode = await select(
    {
      message: 'Password login',
      choices: [
        { name: 'none: SSH key only (atomlab keeps the key)', value: 'none' },
        { name: 'generate a random password per VM', value: 'generate' },
        { name: 'set one password', value: 'set' },
      ],
    },
    io,
  );
  if (mode === 'none') return '';
  if (mode === 'generate') return 'generate';
  return passwordPrompt({ message: 'Password', mask: '*', validate: (v) => v.length > 0 || 'a password cannot be empty' }, io);
}

/** Asks every question of the wizard, with the defaults preselected. */
export async function askAnswers(defaults: InitAnswers, entries: CatalogEntry[], providers: ProviderChoice[], io: PromptIo = {}): Promise<InitAnswers> {
  const name = await input({ message: 'Lab name', default: defaults.name, validate: (v) => NAME.test(v) || 'letters, digits and -, at most 63' }, io);
  const images = imageChoices(entries);
  const image = await select({ message: 'Image', default: defaults.image, choices: images.map((e) => ({ name: `${e.id}: ${e.title}`, value: e.id })) }, io);
  const provider = await select(
    {
      message: 'Provider',
      default: providers.find((p) => p.available)?.name ?? defaults.provider,
      choices: providers.map((p) => ({ name: `${p.name} (${p.why})`, value: p.name, disabled: p.available ? false : p.why })),
    },
    io,
  );
  const count = await number({ message: 'How many VMs', default: defaults.count, min: 1, max: 99, required: true }, io);
  const chosen = entries.find((e) => e.id === image);
  const memory = await input(
    { message: 'Memory per VM', default: chosen?.memory ? `${chosen.memory}MiB` : defaults.memory, validate: (v) => SIZE_PATTERN.test(v) || 'a size such as 512MiB or 2GiB' },
    io,
  );
  const user = await input({ message: 'Login user', default: chosen?.user ?? defaults.user, validate: (v) => USER.test(v) || 'a POSIX user name' }, io);
  const password = await askPassword(io);
  return { name: sanitizeName(name), image, provider, count: count ?? 1, memory, user, password };
}

/** The wizard's first question: a blank scenario, or one of the templates. */
export async function askTemplate(templates: TemplateInfo[], io: PromptIo = {}): Promise<string | undefined> {
  const choice = await select(
    {
      message: 'Start from',
      choices: [{ name: 'a blank scenario (the questions that follow)', value: '' }, ...templates.map((t) => ({ name: `${t.name}: ${t.title}`, value: t.name }))],
    },
    io,
  );
  return choice || undefined;
}

/** For a template: the lab name, the provider and the password login; the rest is the template's. */
export async function askTemplateAnswers(defaults: InitAnswers, providers: ProviderChoice[], io: PromptIo = {}): Promise<InitAnswers> {
  const name = await input({ message: 'Lab name', default: defaults.name, validate: (v) => NAME.test(v) || 'letters, digits and -, at most 63' }, io);
  const provider = await select(
    {
      message: 'Provider (where the template does not choose per VM)',
      default: providers.find((p) => p.available)?.name ?? defaults.provider,
      choices: providers.map((p) => ({ name: `${p.name} (${p.why})`, value: p.name, disabled: p.available ? false : p.why })),
    },
    io,
  );
  const password = await askPassword(io);
  return { ...defaults, name: sanitizeName(name), provider, password };
}
