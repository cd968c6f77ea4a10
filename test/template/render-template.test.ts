import test from 'ava';
import { DEFERRED, renderTemplate, renderTemplates, templateNames, type TemplateProblem } from '../../lab/template/index.js';

test('names are replaced, numbers zero-padded when asked', (t) => {
  const vars = { n: 7, name: 'student-07', lab: 'class' };
  t.is(renderTemplate('student-{{n:02}}', vars), 'student-07');
  t.is(renderTemplate('{{ n }}/{{n:003}}', vars), '7/007');
  t.is(renderTemplate('{{lab}}-{{ name }}', vars), 'class-student-07');
  t.is(renderTemplate('{{n:02}}', { n: 123 }), '123');
});

test('docker and Go templates are not ours and stay as written', (t) => {
  const text = `docker inspect -f '{{.State.Running}}' web && docker ps --format '{{ json .Names }}'`;
  t.is(renderTemplate(text, {}), text);
});

test('an escaped brace pair is written literally', (t) => {
  t.is(renderTemplate('\\{{ v1.hostname }}', {}), '{{ v1.hostname }}');
});

test('an unknown name is refused with the known names and a likely match', (t) => {
  t.throws(() => renderTemplate('{{nmae}}', { n: 1, name: 'a' }), { message: /unknown template variable \{\{nmae\}\} \(did you mean "name"\?\) \(known: n, name;/ });
  t.throws(() => renderTemplate('{{name:02}}', { name: 'a' }), { message: /pads numbers, but name is text/ });
});

test('deferred names are known but left for later', (t) => {
  const vars = { 'serve.updates': DEFERRED, n: 1 };
  t.is(renderTemplate('url={{serve.updates}}/repo n={{n}}', vars), 'url={{serve.updates}}/repo n=1');
  t.is(renderTemplate('url={{ serve.updates }}', { 'serve.updates': 'http://10.0.2.2:8123' }), 'url=http://10.0.2.2:8123');
  t.deepEqual(templateNames('{{serve.updates}} \\{{x}} {{.Go}} {{ n:02 }}'), ['serve.updates', 'n']);
});

test('values are rendered deeply, keys included, and problems carry their path', (t) => {
  const problems: TemplateProblem[] = [];
  const value = { write_files: [{ path: '/etc/{{name}}', content: 'n={{n}} {{bogus}}' }], count: 3, on: true, '{{name}}': null };
  const rendered = renderTemplates(value, { n: 2, name: 'vm-2' }, problems);
  t.deepEqual(rendered, { write_files: [{ path: '/etc/vm-2', content: 'n={{n}} {{bogus}}' }], count: 3, on: true, 'vm-2': null });
  t.deepEqual(problems.map((p) => p.path), [['write_files', 0, 'content']]);
  t.deepEqual(value.write_files[0], { path: '/etc/{{name}}', content: 'n={{n}} {{bogus}}' }, 'the input is not changed');
});

test('the second stage fills only deferred names and keeps literal braces the first stage made', async (t) => {
  const { fillDeferred } = await import('../../lab/template/index.js');
  const first = renderTemplate('\\{{ v1.hostname }} {{serve.repo}}/{{name}}', { name: 'vm-1', 'serve.repo': DEFERRED });
  t.is(first, '{{ v1.hostname }} {{serve.repo}}/vm-1');
  t.deepEqual(fillDeferred({ [first]: [first] }, { 'serve.repo': 'http://10.0.2.2:8000' }), {
    '{{ v1.hostname }} http://10.0.2.2:8000/vm-1': ['{{ v1.hostname }} http://10.0.2.2:8000/vm-1'],
  });
});
