import test from 'ava';
import { libvirtConnection } from '../../lab/doctor/checks.js';
import { providers } from '../../providers/registry.js';

test('a libvirt URI that answers is found, with its version', async (t) => {
  const component = await libvirtConnection(providers, 'test:///default');
  t.true(component.found, component.detail);
  t.regex(component.version ?? '', /^\d+\.\d+\.\d+$/);
  t.regex(component.detail ?? '', /TEST/);
});

test('a refused libvirt URI is missing, and says why and what to do', async (t) => {
  const component = await libvirtConnection(providers, 'qemu+tcp://127.0.0.1:1/system', 3000);
  t.false(component.found);
  t.regex(component.detail ?? '', /Connection refused/);
  t.regex(component.detail ?? '', /libvirtd/);
});
