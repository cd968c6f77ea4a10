import test from 'ava';
import { readdir } from 'node:fs/promises';
import { generateKeyPair } from '../../lab/cidata/index.js';
import { renderVmIgnition } from '../../lab/engine/index.js';
import { validateIgnition } from '../../lab/ignition/index.js';
import { loadScenario, type VmPlan } from '../../lab/scenario/index.js';

const labKey = generateKeyPair('atomlab@test');

/** What `seed: ignition` makes of a VM: its image configured by Ignition, spec 3.3.0. */
function switchedToIgnition(vm: VmPlan): VmPlan {
  return { ...vm, image: { ...vm.image, config: 'ignition', ignitionVersion: '3.3.0' } };
}

test('every Ignition config atomlab writes over the shipped scenarios passes ignition-validate', async (t) => {
  const files = (await readdir('scenarios')).filter((name) => name.endsWith('.yaml'));
  t.true(files.length >= 6);
  let judged = 0;
  for (const name of files) {
    const { plans } = await loadScenario(`scenarios/${name}`);
    for (const plan of plans) {
      const urls = Object.fromEntries(plan.serve.map((entry) => [entry.name, 'http://10.0.2.2:8000']));
      for (const vm of plan.vms) {
        const rendered = await renderVmIgnition(switchedToIgnition(vm), labKey, urls);
        const verdict = await validateIgnition(rendered.config);
        t.true(verdict.valid, `${name} ${vm.name}: ${JSON.stringify(verdict.findings)}`);
        t.deepEqual(verdict.findings, [], `${name} ${vm.name}: no warnings either`);
        judged += 1;
      }
    }
  }
  t.log(`${judged} configs judged`);
});
