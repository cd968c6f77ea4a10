import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { generateKeyPair } from '../../lab/cidata/index.js';
import { renderVmSeed } from '../../lab/engine/index.js';
import { validateIgnition } from '../../lab/ignition/index.js';
import type { VmPlan } from '../../lab/plan/index.js';
import { loadScenario } from '../../lab/scenario/index.js';
import { providers } from '../../providers/registry.js';

const labKey = generateKeyPair('atomlab@test');

/** What `seed: ignition` on an image configured by Ignition (spec 3.3.0) makes of a VM. */
function switchedToIgnition(vm: VmPlan): VmPlan {
  return { ...vm, seed: 'ignition', image: { ...vm.image, config: 'ignition', ignitionVersion: '3.3.0' } };
}

test('every Ignition config atomlab writes over the shipped scenarios passes ignition-validate', async (t) => {
  const files = (await readdir('scenarios')).filter((name) => name.endsWith('.yaml'));
  t.true(files.length >= 6);
  let judged = 0;
  for (const name of files) {
    const registered = providers.providers.map((provider) => provider.name);
    const text = await readFile(`scenarios/${name}`, 'utf8');
    const missing = /provider: (\w+)/.exec(text)?.[1];
    if (missing && !registered.includes(missing)) {
      t.log(`${name}: its provider ${missing} is not registered in this tree; not judged here`);
      continue;
    }
    const { plans } = await loadScenario(`scenarios/${name}`, { providers });
    for (const plan of plans) {
      const urls = Object.fromEntries(plan.serve.map((entry) => [entry.name, 'http://10.0.2.2:8000']));
      for (const vm of plan.vms) {
        const { data } = renderVmSeed(switchedToIgnition(vm), labKey, urls);
        t.truthy(data.ignition, `${name} ${vm.name}: an Ignition config is rendered`);
        const verdict = await validateIgnition(data.ignition!);
        t.true(verdict.valid, `${name} ${vm.name}: ${JSON.stringify(verdict.findings)}`);
        t.deepEqual(verdict.findings, [], `${name} ${vm.name}: no warnings either`);
        judged += 1;
      }
    }
  }
  t.true(judged >= 10, `${judged} configs judged`);
});
