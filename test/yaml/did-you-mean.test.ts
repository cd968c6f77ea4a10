import test from 'ava';
import { closest } from '../../lab/yaml/index.js';

test('a likely typo gets the intended word', (t) => {
  const keys = ['hostname', 'image', 'provider', 'cpus', 'memory', 'disk', 'hardware', 'login'];
  t.is(closest('memroy', keys), 'memory');
  t.is(closest('hostnmae', keys), 'hostname');
  t.is(closest('imgae', keys), 'image');
  t.is(closest('cpu', keys), 'cpus');
  t.is(closest('url', ['name', 'uri', 'pool', 'network']), 'uri');
});

test('an unrelated word gets no suggestion', (t) => {
  t.is(closest('steps', ['hostname', 'image', 'provider']), undefined);
  t.is(closest('x', ['name', 'uri']), undefined);
});
