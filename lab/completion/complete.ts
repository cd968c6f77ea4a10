import type { Command, Option } from 'commander';
import { loadCatalog } from '../catalog/index.js';
import { listTemplates } from '../init/index.js';
import { labPaths, labStateDirs, readState } from '../state/index.js';

/** Commands whose first argument is a VM of the lab. */
const VM_COMMANDS = new Set(['ssh', 'console', 'snapshot', 'revert']);
/** `images` subcommands whose arguments are catalog ids. */
const IMAGE_ID_COMMANDS = new Set(['pull', 'rm']);

/** VM names of a scenario's lab as users type them (`<combination>/<vm>` in a matrix), from its state alone. */
async function vmNames(scenario: string): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await labStateDirs(scenario).catch(() => [])) {
    const state = await readState(labPaths(entry.dir).stateFile).catch(() => undefined);
    for (const name of Object.keys(state?.vms ?? {})) names.push(entry.combinationKey ? `${entry.combinationKey}/${name}` : name);
  }
  return names;
}

function visible(command: Command): Command[] {
  return command.commands.filter((c) => !(c as Command & { _hidden?: boolean })._hidden);
}

function optionNames(command: Command): string[] {
  return [...command.options.flatMap((o) => [o.long, o.short].filter((n): n is string => Boolean(n))), '--help'];
}

function takesValue(option: Option | undefined): boolean {
  return Boolean(option && (option.required || option.optional));
}

/** The scenario a command line names (-s FILE, --scenario FILE, or a .yaml positional), else ./atomlab.yaml. */
function scenarioOf(words: string[]): string {
  const flag = words.findIndex((w) => w === '-s' || w === '--scenario');
  if (flag >= 0 && words[flag + 1]) return words[flag + 1]!;
  return words.find((w) => /\.ya?ml$/.test(w)) ?? 'atomlab.yaml';
}

async function optionValues(option: Option, words: string[]): Promise<string[]> {
  if (option.argChoices) return option.argChoices;
  if (option.long === '--template') return (await listTemplates()).map((t) => t.name);
  if (option.long === '--only') return vmNames(scenarioOf(words));
  return []; // files, numbers, addresses: the shell's own completion
}

async function positional(path: Command[], args: string[], words: string[]): Promise<string[]> {
  const command = path[path.length - 1]!;
  const name = command.name();
  if (VM_COMMANDS.has(name) && args.length === 0) return vmNames(scenarioOf(words));
  if (path[0]?.name() === 'images' && IMAGE_ID_COMMANDS.has(name)) return (await loadCatalog()).entries.map((e) => e.id);
  if (name === 'completion') return ['bash', 'zsh', 'fish'];
  return [];
}

/**
 * Candidates for the word being typed: `words` are the command line after `atomlab`, the last
 * one the (possibly empty) word under the cursor. Empty means: complete file names.
 */
export async function completions(program: Command, words: string[]): Promise<string[]> {
  const current = words[words.length - 1] ?? '';
  const before = words.slice(0, -1);
  const path: Command[] = [];
  const args: string[] = [];
  let command = program;
  for (let i = 0; i < before.length; i++) {
    const word = before[i]!;
    const sub = visible(command).find((c) => c.name() === word || c.aliases().includes(word));
    if (sub && args.length === 0) {
      path.push(sub);
      command = sub;
    } else if (word.startsWith('-')) {
      if (takesValue(command.options.find((o) => o.long === word || o.short === word))) i++;
    } else args.push(word);
  }
  const previous = command.options.find((o) => o.long === before[before.length - 1] || o.short === before[before.length - 1]);
  const candidates = takesValue(previous)
    ? await optionValues(previous!, words)
    : current.startsWith('-') ? optionNames(command)
    : visible(command).length > 0 && args.length === 0 ? visible(command).map((c) => c.name())
    : await positional(path, args, words);
  return candidates.filter((c) => c.startsWith(current));
}
