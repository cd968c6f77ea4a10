import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateStore, UnreadableStateError, readState } from '../../lab/state/index.js';

async function stateFile(t: { teardown: (fn: () => unknown) => void }, text: string): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-state-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'state.json'), text);
  return { dir, file: join(dir, 'state.json') };
}

test('a state file from a newer atomlab is refused by name, with its records kept for down --force; it is never overwritten', async (t) => {
  const text = JSON.stringify({ version: 2, lab: 'l', scenario: 's', vms: { a: { name: 'a', provider: 'qemu', ref: {} } } });
  const { dir, file } = await stateFile(t, text);
  const error = await t.throwsAsync(readState(file), { instanceOf: UnreadableStateError });
  t.is(error.message, `${file} was written by a newer atomlab (state version 2; this atomlab reads version 1)`);
  t.regex(error.hint ?? '', /atomlab down --force removes what it can find/);
  t.deepEqual((error.parsed as { vms: object }).vms, { a: { name: 'a', provider: 'qemu', ref: {} } });
  await t.throwsAsync(StateStore.open(dir, 'l', 's'), { instanceOf: UnreadableStateError });
  t.is(await readFile(file, 'utf8'), text);
});

test('a damaged state file (cut short, not JSON, not a state) is a clear error', async (t) => {
  for (const [text, message] of [['{"version": 1, "vms": {', /is damaged: /], ['garbage', /is damaged: /], ['{"version": 1}', /is not a state file atomlab can read/], ['null', /is not a state file/]] as const) {
    const { file } = await stateFile(t, text);
    await t.throwsAsync(readState(file), { instanceOf: UnreadableStateError, message }, text);
  }
});
