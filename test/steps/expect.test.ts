import test from 'ava';
import type { ExpectPlan } from '../../lab/plan/index.js';
import { checkExpect, parseJsonPath, parseOstreeStatus, rollbackTarget, valueAtPath } from '../../lab/steps/index.js';

const result = (stdout: string, code: number | null = 0, stderr = '') => ({ code, stdout, stderr });
const plan = (extra: Partial<ExpectPlan> = {}): ExpectPlan => ({ exit: 0, ...extra });
const text = (t: { equals?: string; contains?: string[]; notContains?: string[]; regex?: string }) => ({ contains: [], notContains: [], ...t });

test('exit status: 0 by default, a number, any, nonzero', (t) => {
  t.deepEqual(checkExpect(result(''), plan()), []);
  t.deepEqual(checkExpect(result('', 3), plan()), ['the command exited 3, expected 0']);
  t.deepEqual(checkExpect(result('', 3), plan({ exit: 3 })), []);
  t.deepEqual(checkExpect(result('', 3), plan({ exit: 'any' })), []);
  t.deepEqual(checkExpect(result('', 0), plan({ exit: 'nonzero' })), ['the command exited 0, expected a non-zero exit']);
  t.deepEqual(checkExpect({ code: null, signal: 'KILL', stdout: '', stderr: '' }, plan()), ['the command was killed by KILL, expected 0']);
});

test('stdout and stderr: equals (trimmed), contains, notContains, regex', (t) => {
  t.deepEqual(checkExpect(result('hello\n'), plan({ stdout: text({ equals: 'hello' }) })), []);
  t.deepEqual(checkExpect(result('hello\n'), plan({ stdout: text({ equals: 'bye' }) })), ['stdout is "hello", expected "bye"']);
  t.deepEqual(checkExpect(result('a b c'), plan({ stdout: text({ contains: ['a', 'c'], notContains: ['z'] }) })), []);
  t.deepEqual(checkExpect(result('a b c'), plan({ stdout: text({ contains: ['x'], notContains: ['b'] }) })), ['stdout does not contain "x"', 'stdout contains "b"']);
  t.deepEqual(checkExpect(result('', 0, 'Version: 2\n'), plan({ stderr: text({ regex: '^Version: \\d+$' }) })), []);
  t.deepEqual(checkExpect(result('', 0, 'none'), plan({ stderr: text({ regex: '^\\d$' }) })), ['stderr does not match /^\\d$/']);
});

test('JSON paths: keys, indexes, deep equality; non-JSON output fails clearly', (t) => {
  const doc = JSON.stringify({ deployments: [{ version: '2', booted: true }, { version: '1', booted: false }], list: [1, 2] });
  t.deepEqual(parseJsonPath('deployments[1].version'), ['deployments', 1, 'version']);
  t.deepEqual(parseJsonPath('$.a.0.b[2][3]'), ['a', 0, 'b', 2, 3]);
  t.is(valueAtPath(JSON.parse(doc), 'deployments[0].version'), '2');
  t.deepEqual(checkExpect(result(doc), plan({ json: { 'deployments[0].booted': true, list: [1, 2] } })), []);
  t.deepEqual(checkExpect(result(doc), plan({ json: { 'deployments[1].version': '2', 'deployments[5].version': '1' } })), [
    'deployments[1].version is "1", expected "2"',
    'deployments[5].version is missing, expected "1"',
  ]);
  t.regex(checkExpect(result('not json'), plan({ json: { a: 1 } }))[0]!, /^stdout is not JSON/);
});

test('rpm-ostree status: the booted deployment, and what rollback boots', (t) => {
  const status = (booted: number) =>
    parseOstreeStatus(JSON.stringify({ deployments: [{ id: 'tiny-b.0', checksum: 'b', serial: 0, version: '2', booted: booted === 0 }, { id: 'tiny-a.0', checksum: 'a', serial: 0, version: '1', booted: booted === 1 }] }));
  t.is(status(0).booted.version, '2');
  t.is(rollbackTarget(status(0))?.id, 'tiny-a.0', 'the default is booted: rollback boots the other one');
  t.is(rollbackTarget(status(1))?.id, 'tiny-a.0', 'an upgrade is pending: rollback keeps the booted one');
  t.throws(() => parseOstreeStatus('{"deployments": [{"booted": false}]}'), { message: /0 deployments are marked booted/ });
});
