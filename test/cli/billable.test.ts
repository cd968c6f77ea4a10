import test from 'ava';
import { z } from 'zod';
import { billableSummary, confirmBillable } from '../../lab/cli/billable.js';
import { AtomlabError } from '../../lab/errors/index.js';
import { defineProvider, ProviderRegistry } from '../../lab/provider/index.js';
import { loadScenario } from '../../lab/scenario/index.js';
import { labDir } from '../helpers/lab.js';

/**
 * The question `up` and `run` ask before billable resources works from the registry's
 * `billable` flag alone: a provider atomlab has never heard of, registered billable, gets it.
 */
const notLoaded = () => Promise.reject(new Error('the question never loads a provider'));
const registry = new ProviderRegistry([
  defineProvider({ name: 'local', options: z.strictObject({}), seedTransports: ['nocloud'], load: notLoaded }),
  defineProvider({ name: 'cloudy', options: z.strictObject({ zone: z.string().optional() }), seedTransports: ['userdata'], billable: true, load: notLoaded }),
]);

async function plans() {
  const lab = await labDir(
    [
      'name: mixed',
      'defaults: {image: tiny}',
      'vms:',
      '  - {name: here, provider: local}',
      '  - {name: there1, provider: {name: cloudy, zone: z1}, cpus: 2, memory: 2GiB}',
      '  - {name: there2, provider: cloudy}',
      '',
    ].join('\n'),
  );
  return (await loadScenario(lab.file, { providers: registry })).plans;
}

test('the summary names each billable provider\'s VMs with their size, and nothing of the others', async (t) => {
  const summary = billableSummary(await plans(), registry);
  t.is(summary.length, 1);
  t.regex(summary[0]!, /^mixed on cloudy: 2 VM\(s\): there1 \(2 CPU, 2048 MiB\), there2 \(1 CPU, \d+ MiB\); the lab's network access rules and key; the image uploaded once/);
  t.notRegex(summary[0]!, /\bhere\b/, 'the local VM is not billable');
  t.deepEqual(billableSummary(await plans(), registry, (vm) => vm === 'here'), [], 'only local VMs selected: nothing to ask');
});

interface Asked {
  written: string[];
  asked: string[];
}

function io(answer: boolean): Asked & { ask: (message: string) => Promise<boolean>; write: (text: string) => void } {
  const asked: Asked = { written: [], asked: [] };
  return { ...asked, ask: async (message) => (asked.asked.push(message), answer), write: (text) => void asked.written.push(text) };
}

test('--yes states what is made and does not ask; no terminal without --yes refuses after stating it', async (t) => {
  const summary = billableSummary(await plans(), registry);
  const yes = io(false);
  await confirmBillable(summary, { yes: true, interactive: false, ask: yes.ask, write: yes.write });
  t.deepEqual(yes.asked, []);
  t.regex(yes.written.join(''), /This creates resources that cost money until atomlab down removes them:\n {2}- mixed on cloudy: 2 VM\(s\)/);
  const script = io(true);
  const error = await t.throwsAsync(confirmBillable(summary, { yes: false, interactive: false, ask: script.ask, write: script.write }), { instanceOf: AtomlabError });
  t.is(error.code, 'BAD_INPUT');
  t.is(error.message, 'refusing to create billable cloud resources without a terminal to ask');
  t.regex(error.hint ?? '', /--yes/);
  t.deepEqual(script.asked, [], 'nobody to ask');
  t.regex(script.written.join(''), /mixed on cloudy/);
});

test('at a terminal it asks: yes goes on, no stops with nothing made', async (t) => {
  const summary = billableSummary(await plans(), registry);
  const accepted = io(true);
  await confirmBillable(summary, { yes: false, interactive: true, ask: accepted.ask, write: accepted.write });
  t.deepEqual(accepted.asked, ['Create them?']);
  const declined = io(false);
  await t.throwsAsync(confirmBillable(summary, { yes: false, interactive: true, ask: declined.ask, write: declined.write }), { message: 'nothing created: the billable resources were declined' });
});

test('a lab with no billable provider is never asked about, with or without a terminal', async (t) => {
  const quiet = io(false);
  await confirmBillable([], { yes: false, interactive: false, ask: quiet.ask, write: quiet.write });
  t.deepEqual([quiet.written, quiet.asked], [[], []]);
});
