import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
// The clients one by one: the package's index loads all ~100 of Compute's clients (seconds of startup).
import type { protos } from '@google-cloud/compute';
import { DisksClient } from '@google-cloud/compute/build/src/v1/disks_client.js';
import { FirewallsClient } from '@google-cloud/compute/build/src/v1/firewalls_client.js';
import { GlobalOperationsClient } from '@google-cloud/compute/build/src/v1/global_operations_client.js';
import { ImagesClient } from '@google-cloud/compute/build/src/v1/images_client.js';
import { InstancesClient } from '@google-cloud/compute/build/src/v1/instances_client.js';
import { MachineTypesClient } from '@google-cloud/compute/build/src/v1/machine_types_client.js';
import { SnapshotsClient } from '@google-cloud/compute/build/src/v1/snapshots_client.js';
import { ZoneOperationsClient } from '@google-cloud/compute/build/src/v1/zone_operations_client.js';
import { GoogleAuth, JWT, type AuthClient } from 'google-auth-library';
import { failureKind, failureOf, gceError, type GoogleFailure } from './gce-errors.js';

type Operation = protos.google.cloud.compute.v1.IOperation;
export type Instance = protos.google.cloud.compute.v1.IInstance;
export type Image = protos.google.cloud.compute.v1.IImage;
export type Firewall = protos.google.cloud.compute.v1.IFirewall;
export type Disk = protos.google.cloud.compute.v1.IDisk;
export type Snapshot = protos.google.cloud.compute.v1.ISnapshot;
export type AttachedDisk = protos.google.cloud.compute.v1.IAttachedDisk;

const SCOPES = ['https://www.googleapis.com/auth/cloud-platform'];

/** Where the clients connect; credentials always come from Application Default Credentials. */
export interface GcePlace {
  /** Another endpoint for Compute and Storage (a recorder); absent: Google's. */
  endpoint: string | undefined;
  /** First retry delay while Google rate-limits (doubles each try). */
  retryBaseMs?: number;
}

/**
 * Application Default Credentials as google-auth-library finds them: GOOGLE_APPLICATION_CREDENTIALS,
 * gcloud's application_default_credentials.json, or the metadata server. A service-account key
 * signs its own JWT with the scope (no token exchange), which Google's APIs accept.
 */
export function adcAuth(): GoogleAuth {
  return new GoogleAuth({ scopes: SCOPES });
}

/**
 * Where Application Default Credentials would come from, found without a network call: the key
 * file GOOGLE_APPLICATION_CREDENTIALS names, gcloud's application_default_credentials.json, or
 * the metadata server when this machine is a Google VM (its DMI product name says so).
 */
export function adcSource(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.GOOGLE_APPLICATION_CREDENTIALS) return env.GOOGLE_APPLICATION_CREDENTIALS;
  const gcloud = join(env.CLOUDSDK_CONFIG || join(env.HOME || homedir(), '.config', 'gcloud'), 'application_default_credentials.json');
  if (existsSync(gcloud)) return gcloud;
  if (env.GCE_METADATA_HOST) return 'the metadata server';
  const product = (() => {
    try {
      return readFileSync('/sys/class/dmi/id/product_name', 'utf8');
    } catch {
      return '';
    }
  })();
  return /Google/.test(product) ? 'the metadata server' : undefined;
}

async function authClientOf(auth: GoogleAuth): Promise<AuthClient> {
  const client = await auth.getClient();
  if (client instanceof JWT) client.useJWTAccessWithScope = true;
  return client;
}

/** The clients' connection options: REST (`fallback: 'rest'`, HTTP/1.1 JSON), never gRPC. */
type ClientOptions = ConstructorParameters<typeof InstancesClient>[0];

async function clientOptions(place: GcePlace, auth: GoogleAuth): Promise<ClientOptions> {
  const authClient = await authClientOf(auth);
  if (!place.endpoint) return { fallback: 'rest', authClient };
  const url = new URL(place.endpoint);
  return { fallback: 'rest', authClient, apiEndpoint: url.hostname, port: Number(url.port || (url.protocol === 'http:' ? 80 : 443)), protocol: url.protocol.replace(':', '') };
}

interface Clients {
  instances: InstancesClient;
  images: ImagesClient;
  firewalls: FirewallsClient;
  machineTypes: MachineTypesClient;
  disks: DisksClient;
  snapshots: SnapshotsClient;
  zoneOps: ZoneOperationsClient;
  globalOps: GlobalOperationsClient;
}

/**
 * A thin wrapper of Google's Compute Engine clients: one method per call atomlab makes, long-running
 * operations waited for (zoneOperations/globalOperations.wait), every failure an AtomlabError
 * (gceError). Rate limits are retried with backoff (google-gax's REST errors do not carry Google's
 * Retry-After). No lab logic here.
 */
export class GceClient {
  private clients: Promise<Clients> | undefined;

  constructor(private readonly place: GcePlace, readonly auth: GoogleAuth = adcAuth()) {}

  private compute(): Promise<Clients> {
    this.clients ??= clientOptions(this.place, this.auth).then((options) => ({
      instances: new InstancesClient(options),
      images: new ImagesClient(options),
      firewalls: new FirewallsClient(options),
      machineTypes: new MachineTypesClient(options),
      disks: new DisksClient(options),
      snapshots: new SnapshotsClient(options),
      zoneOps: new ZoneOperationsClient(options),
      globalOps: new GlobalOperationsClient(options),
    }));
    return this.clients;
  }

  /** The Authorization header for the Cloud Storage JSON API. */
  async authorization(): Promise<string> {
    try {
      const client = await authClientOf(this.auth);
      const headers = await client.getRequestHeaders('https://storage.googleapis.com/');
      return (headers instanceof Headers ? headers.get('authorization') : (headers as Record<string, string>).authorization) ?? '';
    } catch (error) {
      throw gceError('credentials', failureOf(error), {}, error);
    }
  }

  /** The ADC's project (GOOGLE_CLOUD_PROJECT, the key's project_id, gcloud's configuration). */
  async adcProject(): Promise<string | undefined> {
    return this.auth.getProjectId().catch(() => undefined);
  }

  private async call<T>(operation: string, run: (clients: Clients) => Promise<T>, context?: Record<string, unknown>): Promise<T> {
    const clients = await this.compute().catch((error: unknown) => Promise.reject(gceError('credentials', failureOf(error), context, error)));
    for (let attempt = 1; ; attempt++) {
      try {
        return await run(clients);
      } catch (error) {
        const failure = failureOf(error);
        const throttled = failureKind(failure) === 'throttled' || (failure.grpcCode === 8 && failureKind(failure) === 'other');
        if (!throttled || attempt >= 4) throw gceError(operation, { ...failure, reason: failure.reason ?? (throttled ? 'rateLimitExceeded' : undefined) }, { ...context, attempts: attempt }, error);
        await sleep((this.place.retryBaseMs ?? 1000) * 2 ** (attempt - 1));
      }
    }
  }

  /** Waits for a long-running operation; an operation that ends with errors is an AtomlabError. */
  private async finish(operation: string, first: Operation, where: { project: string; zone?: string }): Promise<Operation> {
    let op = first;
    while (op.status !== 'DONE') {
      [op] = await this.call(`${operation} (wait)`, ({ zoneOps, globalOps }) =>
        where.zone ? zoneOps.wait({ project: where.project, zone: where.zone, operation: op.name! }) : globalOps.wait({ project: where.project, operation: op.name! }),
      );
    }
    const [failed] = op.error?.errors ?? [];
    if (failed) throw gceError(operation, operationFailure(op, failed), { operationName: op.name, target: op.targetLink });
    return op;
  }

  async machineTypes(project: string, zone: string): Promise<{ name: string; cpus: number; memoryMiB: number }[]> {
    const [types] = await this.call('machineTypes.list', ({ machineTypes }) => machineTypes.list({ project, zone, maxResults: 500 }, { autoPaginate: true }));
    return types.filter((type) => !type.deprecated?.state).map((type) => ({ name: type.name!, cpus: type.guestCpus ?? 0, memoryMiB: type.memoryMb ?? 0 }));
  }

  async images(project: string, filter: string): Promise<Image[]> {
    const [found] = await this.call('images.list', ({ images }) => images.list({ project, filter }, { autoPaginate: true }));
    return found;
  }

  async insertImage(project: string, image: Image): Promise<void> {
    const [op] = await this.call('images.insert', ({ images }) => images.insert({ project, imageResource: image }), { image: image.name });
    await this.finish('images.insert', op.latestResponse as Operation, { project });
  }

  async deleteImage(project: string, name: string): Promise<void> {
    const [op] = await this.call('images.delete', ({ images }) => images.delete({ project, image: name }), { image: name });
    await this.finish('images.delete', op.latestResponse as Operation, { project });
  }

  async firewall(project: string, name: string): Promise<Firewall | undefined> {
    return this.call('firewalls.get', ({ firewalls }) => firewalls.get({ project, firewall: name })).then(([found]) => found, orUndefinedIfNotFound);
  }

  async firewalls(project: string, filter: string): Promise<Firewall[]> {
    const [found] = await this.call('firewalls.list', ({ firewalls }) => firewalls.list({ project, filter }, { autoPaginate: true }));
    return found;
  }

  async insertFirewall(project: string, firewall: Firewall): Promise<void> {
    const [op] = await this.call('firewalls.insert', ({ firewalls }) => firewalls.insert({ project, firewallResource: firewall }), { firewall: firewall.name });
    await this.finish('firewalls.insert', op.latestResponse as Operation, { project });
  }

  async deleteFirewall(project: string, name: string): Promise<void> {
    const [op] = await this.call('firewalls.delete', ({ firewalls }) => firewalls.delete({ project, firewall: name }), { firewall: name });
    await this.finish('firewalls.delete', op.latestResponse as Operation, { project });
  }

  async instance(project: string, zone: string, name: string): Promise<Instance | undefined> {
    return this.call('instances.get', ({ instances }) => instances.get({ project, zone, instance: name })).then(([found]) => found, orUndefinedIfNotFound);
  }

  /** The project's instances in every zone that match the filter (so a lab is found even after its zone changed). */
  async instancesEverywhere(project: string, filter: string): Promise<Instance[]> {
    return this.call('instances.aggregatedList', async ({ instances }) => {
      const found: Instance[] = [];
      for await (const [, scoped] of instances.aggregatedListAsync({ project, filter })) found.push(...(scoped.instances ?? []));
      return found;
    });
  }

  async insertInstance(project: string, zone: string, instance: Instance): Promise<void> {
    const [op] = await this.call('instances.insert', ({ instances }) => instances.insert({ project, zone, instanceResource: instance }), { instance: instance.name });
    await this.finish('instances.insert', op.latestResponse as Operation, { project, zone });
  }

  /** start, stop, reset or delete: the call, then its operation. */
  async instanceAction(action: 'start' | 'stop' | 'reset' | 'delete', where: { project: string; zone: string; name: string }): Promise<void> {
    const request = { project: where.project, zone: where.zone, instance: where.name };
    const [op] = await this.call(`instances.${action}`, ({ instances }) => instances[action](request), { instance: where.name });
    await this.finish(`instances.${action}`, op.latestResponse as Operation, where);
  }

  /** detachDisk of the disk at deviceName (a boot disk only while the instance is stopped). */
  async detachDisk(where: { project: string; zone: string; name: string }, deviceName: string): Promise<void> {
    const [op] = await this.call('instances.detachDisk', ({ instances }) => instances.detachDisk({ project: where.project, zone: where.zone, instance: where.name, deviceName }), { instance: where.name, deviceName });
    await this.finish('instances.detachDisk', op.latestResponse as Operation, where);
  }

  async attachDisk(where: { project: string; zone: string; name: string }, disk: AttachedDisk): Promise<void> {
    const [op] = await this.call('instances.attachDisk', ({ instances }) => instances.attachDisk({ project: where.project, zone: where.zone, instance: where.name, attachedDiskResource: disk }), { instance: where.name, disk: disk.source });
    await this.finish('instances.attachDisk', op.latestResponse as Operation, where);
  }

  async disk(project: string, zone: string, name: string): Promise<Disk | undefined> {
    return this.call('disks.get', ({ disks }) => disks.get({ project, zone, disk: name })).then(([found]) => found, orUndefinedIfNotFound);
  }

  /** The project's disks in every zone that match the filter. */
  async disksEverywhere(project: string, filter: string): Promise<Disk[]> {
    return this.call('disks.aggregatedList', async ({ disks }) => {
      const found: Disk[] = [];
      for await (const [, scoped] of disks.aggregatedListAsync({ project, filter })) found.push(...(scoped.disks ?? []));
      return found;
    });
  }

  async insertDisk(project: string, zone: string, disk: Disk): Promise<void> {
    const [op] = await this.call('disks.insert', ({ disks }) => disks.insert({ project, zone, diskResource: disk }), { disk: disk.name });
    await this.finish('disks.insert', op.latestResponse as Operation, { project, zone });
  }

  async deleteDisk(project: string, zone: string, name: string): Promise<void> {
    const [op] = await this.call('disks.delete', ({ disks }) => disks.delete({ project, zone, disk: name }), { disk: name });
    await this.finish('disks.delete', op.latestResponse as Operation, { project, zone });
  }

  async snapshot(project: string, name: string): Promise<Snapshot | undefined> {
    return this.call('snapshots.get', ({ snapshots }) => snapshots.get({ project, snapshot: name })).then(([found]) => found, orUndefinedIfNotFound);
  }

  async snapshots(project: string, filter: string): Promise<Snapshot[]> {
    const [found] = await this.call('snapshots.list', ({ snapshots }) => snapshots.list({ project, filter }, { autoPaginate: true }));
    return found;
  }

  async insertSnapshot(project: string, snapshot: Snapshot): Promise<void> {
    const [op] = await this.call('snapshots.insert', ({ snapshots }) => snapshots.insert({ project, snapshotResource: snapshot }), { snapshot: snapshot.name });
    await this.finish('snapshots.insert', op.latestResponse as Operation, { project });
  }

  async deleteSnapshot(project: string, name: string): Promise<void> {
    const [op] = await this.call('snapshots.delete', ({ snapshots }) => snapshots.delete({ project, snapshot: name }), { snapshot: name });
    await this.finish('snapshots.delete', op.latestResponse as Operation, { project });
  }

  /** The serial console (port 1) from `start` on: its text and where the next read begins. */
  async serialOutput(where: { project: string; zone: string; name: string }, start = 0): Promise<{ contents: string; next: number }> {
    const [output] = await this.call('instances.getSerialPortOutput', ({ instances }) => instances.getSerialPortOutput({ project: where.project, zone: where.zone, instance: where.name, port: 1, start }));
    return { contents: output.contents ?? '', next: Number(output.next ?? 0) };
  }

  async close(): Promise<void> {
    if (!this.clients) return;
    const clients = await this.clients.catch(() => undefined);
    await Promise.all(Object.values(clients ?? {}).map((client: { close(): Promise<void> }) => client.close()));
  }
}

function operationFailure(op: Operation, failed: { code?: string | null; message?: string | null }): GoogleFailure {
  return { status: op.httpErrorStatusCode ?? undefined, reason: failed.code ?? undefined, message: failed.message ?? op.httpErrorMessage ?? 'the operation failed' };
}

function orUndefinedIfNotFound(error: unknown): undefined {
  if ((error as { code?: string }).code === 'NOT_FOUND') return undefined;
  throw error;
}
