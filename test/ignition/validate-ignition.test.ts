import test from 'ava';
import { stringifyLocated, validateIgnition } from '../../lab/ignition/index.js';

test('the located layout is JSON.stringify(…, null, 2) and knows each line\'s path', (t) => {
  const value = { a: [1, { b: 'x' }], c: {}, d: [] };
  const located = stringifyLocated(value);
  t.is(located.text, `${JSON.stringify(value, null, 2)}\n`);
  t.deepEqual(located.pathAt(5), ['a', 1, 'b']);
  t.deepEqual(located.pathAt(8), ['c']);
});

test('errors come back with their config path, also Go type errors that name only a line', async (t) => {
  const verdict = await validateIgnition({
    ignition: { version: '3.3.0' },
    storage: { files: [{ path: 'relative', mode: 420 }, { path: '/b', mode: 'rw-r--r--' }] },
  });
  t.false(verdict.valid);
  t.deepEqual(verdict.findings[0]!.path, ['storage', 'files', 1, 'mode']);
  t.regex(verdict.findings[0]!.message, /cannot unmarshal string/);
});

test('positioned errors and unknown keys (warnings) keep their paths', async (t) => {
  const verdict = await validateIgnition({ ignition: { version: '3.3.0' }, storage: { files: [{ path: 'relative', frob: 1 }] } });
  t.false(verdict.valid);
  t.deepEqual(verdict.findings.map((f) => [f.level, f.path.join('.')]).sort(), [['error', 'storage.files.0.path'], ['warning', 'storage.files.0.frob']]);
});
