import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair, loadOrCreateKeyPair, newInstanceId, renderSeedDocuments, type KeyPair } from '../cidata/index.js';
import { writeFileAtomic } from '../files/index.js';
import type { VmPlan } from '../plan/index.js';
import { writeSeed, type SeedData, type SeedMedium } from '../seed/index.js';
import type { LabPaths } from '../state/index.js';
import { fillServeUrls } from './lab-servers.js';
import { vmIgnitionConfig } from './vm-ignition.js';
import { readablePassword } from './passwords.js';

export type LabKey = KeyPair;

/** Key pairs being loaded or made right now, by path: VMs brought up together share one. */
const pending = new Map<string, Promise<LabKey>>();

/**
 * The lab's SSH key pair: generated once, kept 0600 in .atomlab/keys/. Concurrent callers share
 * one load-or-create: each making its own pair left the two files holding halves of different
 * pairs, and every VM seeded after that refused the lab's key.
 */
export function ensureLabKey(paths: LabPaths, lab: string): Promise<LabKey> {
  const inFlight = pending.get(paths.privateKey);
  if (inFlight) return inFlight;
  const loading = mkdir(paths.keysDir, { recursive: true, mode: 0o700 }).then(() => loadOrCreateKeyPair(paths.privateKey, `atomlab@${lab}`));
  pending.set(paths.privateKey, loading);
  void loading.finally(() => pending.delete(paths.privateKey)).catch(() => undefined);
  return loading;
}

/** A VM's secrets: kept 0600 beside its disk, never printed. */
export interface VmSecrets {
  password?: string;
  hostPrivateKey: string;
}

export interface PreparedSeed {
  medium: SeedMedium;
  instanceId: string;
  hostKey: string;
  secrets: VmSecrets;
}

export function secretsFile(vmDir: string): string {
  return join(vmDir, 'secrets.json');
}

export async function readSecrets(vmDir: string): Promise<VmSecrets | undefined> {
  const text = await readFile(secretsFile(vmDir), 'utf8').catch(() => undefined);
  return text ? (JSON.parse(text) as VmSecrets) : undefined;
}

export function passwordFor(plan: VmPlan): string | undefined {
  const { password } = plan.login;
  if (!password) return undefined;
  return password.kind === 'generate' ? readablePassword() : password.value;
}

/** A VM's seed as data and the secrets that go with it, not yet written anywhere. */
export interface RenderedVmSeed {
  data: SeedData;
  instanceId: string;
  hostKey: string;
  secrets: VmSecrets;
}

/**
 * The seed `up` gives a VM: a new instance-id (cloud-init runs per-instance work once per id),
 * a host key known before boot, the lab key, the password.
 */
export function renderVmSeed(plan: VmPlan, labKey: LabKey, serveUrls: Record<string, string> = {}): RenderedVmSeed {
  const hostPair = generateKeyPair(`root@${plan.hostname}`);
  const secrets: VmSecrets = { password: passwordFor(plan), hostPrivateKey: hostPair.privateKey };
  const instanceId = newInstanceId();
  const publicKeys = [labKey.publicKey, ...plan.login.sshKeys];
  const documents = renderSeedDocuments({
    instanceId,
    hostname: plan.hostname,
    user: plan.login.user,
    password: secrets.password,
    authorizedKeys: publicKeys,
    hostKey: hostPair,
    cloudConfig: fillServeUrls(plan.cloudConfig, serveUrls),
    metaData: fillServeUrls(plan.metaData, serveUrls),
  });
  const data: SeedData = { instanceId, hostname: plan.hostname, name: plan.name, userData: documents.userData, metaData: documents.metaData, publicKeys };
  if (plan.seed === 'ignition') data.ignition = vmIgnitionConfig({ plan, publicKeys, hostKey: hostPair, password: secrets.password, serveUrls });
  return { data, instanceId, hostKey: hostPair.publicKey, secrets };
}

export interface PrepareSeedRequest {
  plan: VmPlan;
  vmDir: string;
  labKey: LabKey;
  /** `{{serve.NAME}}` → URL as this VM sees it. */
  serveUrls: Record<string, string>;
}

/** Renders the seed and writes it beside the VM's disk in the plan's transport; it holds the host's private key, so 0600. */
export async function prepareSeed(request: PrepareSeedRequest): Promise<PreparedSeed> {
  const { plan, vmDir } = request;
  await mkdir(vmDir, { recursive: true, mode: 0o700 });
  const seed = renderVmSeed(plan, request.labKey, request.serveUrls);
  await writeFileAtomic(secretsFile(vmDir), `${JSON.stringify(seed.secrets, null, 2)}\n`, { mode: 0o600 });
  const medium = await writeSeed({ data: seed.data, transport: plan.seed, dir: vmDir });
  return { medium, instanceId: seed.instanceId, hostKey: seed.hostKey, secrets: seed.secrets };
}
