import test from 'ava';
import { readFile, readdir } from 'node:fs/promises';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { runCli } from '../helpers/run-cli.js';

test('atomlab schema prints the committed schema/scenario.schema.json', async (t) => {
  const result = await runCli(['schema']);
  t.is(result.exitCode, 0, result.stderr);
  const committed = await readFile('schema/scenario.schema.json', 'utf8');
  t.is(result.stdout, committed, 'regenerate it with: npm run schema');
});

async function schemaValidator() {
  const schema = JSON.parse(await readFile('schema/scenario.schema.json', 'utf8')) as object;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv); // the schema's formats (ipv4) are checked, not ignored
  return ajv.compile(schema);
}

test('an outside JSON Schema validator accepts every shipped scenario', async (t) => {
  const validate = await schemaValidator();
  for (const file of (await readdir('scenarios')).filter((f) => f.endsWith('.yaml'))) {
    const ok = validate(parse(await readFile(`scenarios/${file}`, 'utf8')));
    t.true(ok, `${file}: ${JSON.stringify(validate.errors)}`);
  }
  t.true(validate(parse(await readFile('test/fixtures/scenarios/valid-full.yaml', 'utf8'))));
});

test('the JSON Schema refuses what validate refuses for its shape', async (t) => {
  const validate = await schemaValidator();
  for (const name of ['unknown-key', 'wrong-type', 'negative-size', 'no-vms', 'missing-name', 'bad-enum', 'provider-typo']) {
    const data: unknown = parse(await readFile(`test/fixtures/scenarios/${name}.yaml`, 'utf8'));
    t.false(validate(data), name);
  }
});
