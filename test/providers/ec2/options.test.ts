import test from 'ava';
import { labDir } from '../../helpers/lab.js';
import { runCli } from '../../helpers/run-cli.js';

test('validate points at each bad ec2 option by line and column', async (t) => {
  const lab = await labDir(
    [
      'name: bad-ec2',
      'defaults:',
      '  image: tiny',
      'vms:',
      '  - name: host1',
      '    provider:',
      '      name: ec2',
      '      region: moon-1',
      '      instancetype: t3.micro',
      '      address: floating',
      '      sshFrom: everyone',
      '      ami: ami-0abc1234',
      '      endpoint: moto',
      '      subnet: default',
      '      volumeType: gp9',
      '      profile: ""',
      '',
    ].join('\n'),
  );
  const result = await runCli(['validate', lab.file]);
  t.is(result.exitCode, 2);
  const lines = result.stderr.trim().split('\n').map((line) => line.replace(`${lab.file}:`, ''));
  t.deepEqual(lines, [
    '8:15: vms[0].provider.region: must be an AWS region such as eu-central-1, got "moon-1"',
    '9:7: vms[0].provider.instancetype: unknown key (did you mean "instanceType"?)',
    '10:16: vms[0].provider.address: must be one of public, private; got "floating"',
    '11:16: vms[0].provider.sshFrom: must be a CIDR such as 203.0.113.7/32, got "everyone"',
    '12:12: vms[0].provider.ami: moved to the image: write image: {ami: ami-…} (an AMI already in EC2)',
    '13:17: vms[0].provider.endpoint: must be a URL such as http://127.0.0.1:5000, got "moto"',
    '14:15: vms[0].provider.subnet: must be a subnet id such as subnet-0abc123, got "default"',
    '15:19: vms[0].provider.volumeType: must be one of gp3, gp2, io1, io2, st1, sc1, standard; got "gp9" (did you mean "gp3"?)',
    '16:16: vms[0].provider.profile: must not be empty, got ""',
  ]);
});

test('a good ec2 provider validates', async (t) => {
  const lab = await labDir('name: ok\ndefaults:\n  image: tiny\nvms:\n  - name: host1\n    provider: {name: ec2, region: eu-central-1, instanceType: t3.small, address: private, sshFrom: 10.0.0.0/8}\n');
  const result = await runCli(['validate', lab.file]);
  t.is(result.exitCode, 0, result.stderr);
});
