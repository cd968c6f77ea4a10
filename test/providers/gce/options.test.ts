import test from 'ava';
import { labDir } from '../../helpers/lab.js';
import { runCli } from '../../helpers/run-cli.js';

test('validate points at each bad gce option by line and column', async (t) => {
  const lab = await labDir(
    [
      'name: bad-gce',
      'defaults:',
      '  image: tiny',
      'vms:',
      '  - name: host1',
      '    provider:',
      '      name: gce',
      '      project: My_Project',
      '      zone: moon-1',
      '      machinetype: e2-small',
      '      address: floating',
      '      sshFrom: everyone',
      '      bucket: Bad..Bucket',
      '      diskType: floppy',
      '',
    ].join('\n'),
  );
  const result = await runCli(['validate', lab.file]);
  t.is(result.exitCode, 2);
  const lines = result.stderr.trim().split('\n').map((line) => line.replace(`${lab.file}:`, ''));
  t.deepEqual(lines, [
    '8:16: vms[0].provider.project: must be a Google Cloud project id such as my-lab-123456, got "My_Project"',
    '9:13: vms[0].provider.zone: must be a zone such as europe-west1-b, got "moon-1"',
    '10:7: vms[0].provider.machinetype: unknown key (did you mean "machineType"?)',
    '11:16: vms[0].provider.address: must be one of public, private; got "floating"',
    '12:16: vms[0].provider.sshFrom: must be a CIDR such as 203.0.113.7/32, got "everyone"',
    '13:15: vms[0].provider.bucket: must be a Cloud Storage bucket name such as my-lab-images, got "Bad..Bucket"',
    '14:17: vms[0].provider.diskType: must be one of pd-balanced, pd-standard, pd-ssd, hyperdisk-balanced; got "floppy"',
  ]);
});

test('a good gce provider validates', async (t) => {
  const lab = await labDir('name: ok\ndefaults:\n  image: tiny\nvms:\n  - name: host1\n    provider: {name: gce, project: my-lab-123456, zone: europe-west1-b, machineType: e2-small, network: lab-net, subnet: lab-subnet, address: private, sshFrom: 10.0.0.0/8, bucket: my-lab-images}\n');
  const result = await runCli(['validate', lab.file]);
  t.is(result.exitCode, 0, result.stderr);
});
