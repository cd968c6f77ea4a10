import test from 'ava';
import { IGNITION_RESULT, IGNITION_STAGE, STAGES, stagesFor } from '../../lab/ready/index.js';

test('an Ignition guest is waited for with Ignition\'s result in cloud-init\'s place, the other stages unchanged', (t) => {
  const names = (stages: { name: string }[]) => stages.map((stage) => stage.name);
  t.deepEqual(names(stagesFor('cloud-init')), names(STAGES));
  t.deepEqual(names(stagesFor()), names(STAGES));
  t.deepEqual(names(stagesFor('ignition')), names(STAGES).map((name) => (name === 'cloud-init' ? 'ignition' : name)));
  t.is(stagesFor('ignition').find((stage) => stage.name === 'ignition'), IGNITION_STAGE);
  t.is(IGNITION_RESULT, '/etc/.ignition-result.json');
});
