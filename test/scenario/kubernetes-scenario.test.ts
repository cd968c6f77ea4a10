import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../../lab/cidata/index.js';
import { renderVmSeed } from '../../lab/engine/vm-seed.js';
import { loadScenario } from '../../lab/scenario/index.js';
import { cloudInitSchema, loadYamlLikeCloudInit } from '../fixtures/cloud-init-judges.js';
import { runCli } from '../helpers/run-cli.js';
import { providers } from '../../providers/registry.js';

const FILE = 'scenarios/centos-atomic-kubernetes.yaml';

test('the seed 001 Kubernetes lab validates: a master and two minions on centos-atomic-7', async (t) => {
  const result = await runCli(['validate', FILE]);
  t.is(result.exitCode, 0, result.stderr);
  const { plan } = await loadScenario(FILE, { providers });
  t.deepEqual(plan.vms.map((vm) => [vm.name, vm.image.id, vm.login.user]), [['master', 'centos-atomic-7', 'centos'], ['minion1', 'centos-atomic-7', 'centos'], ['minion2', 'centos-atomic-7', 'centos']]);
});

test('every VM\'s rendered user-data passes cloud-init schema and enables the seed\'s services', async (t) => {
  const { plan } = await loadScenario(FILE, { providers });
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-k8s-'));
  const labKey = generateKeyPair('atomlab@test');
  const services: Record<string, string[]> = {
    master: ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'],
    minion1: ['flanneld', 'docker', 'kubelet', 'kube-proxy'],
    minion2: ['flanneld', 'docker', 'kubelet', 'kube-proxy'],
  };
  for (const vm of plan.vms) {
    const seed = renderVmSeed(vm, labKey);
    const file = join(dir, `${vm.name}.user-data`);
    await writeFile(file, seed.data.userData);
    const verdict = await cloudInitSchema(file);
    t.true(verdict.valid, `${vm.name}: ${verdict.output}`);
    const data = (await loadYamlLikeCloudInit(seed.data.userData)) as { runcmd: (string | string[])[]; write_files: { path: string; content: string }[]; ssh_pwauth: boolean };
    const enabled = data.runcmd.filter((cmd): cmd is string[] => Array.isArray(cmd) && cmd[1] === 'enable').flatMap((cmd) => cmd.slice(3));
    t.deepEqual(services[vm.name]!.filter((s) => !enabled.includes(s)), [], `${vm.name} enables every service`);
    t.true(data.ssh_pwauth, 'password login, as in the seed');
    const kubeConfig = data.write_files.find((f) => f.path === '/etc/kubernetes/config');
    t.regex(kubeConfig?.content ?? '', vm.name === 'master' ? /--master=http:\/\/127\.0\.0\.1:8080/ : /--master=http:\/\/10\.0\.2\.2:18080/);
  }
});
