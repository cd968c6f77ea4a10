import { attr, child, children, moRef, readRef, text, typed, type XElement, type XNode } from './soap-xml.js';
import { VsphereFault, type MoRef, type VsphereClient } from './vsphere-client.js';
import { properties, runTask } from './vsphere-objects.js';

/** One VM's life through the API: clone, reconfigure, power, snapshots, destroy. vim25 types stay here. */

export function optionValues(values: Record<string, string>): XElement[] {
  return Object.entries(values).map(([key, value]) => typed('OptionValue', { key, value: typed('xsd:string', { '#text': value }) }));
}

/** Full clone of a template (vCenter); the clone gets its own extraConfig. */
export async function cloneVm(client: VsphereClient, options: { from: MoRef; name: string; folder: MoRef; pool: MoRef; datastore: MoRef; extraConfig: Record<string, string>; signal?: AbortSignal }): Promise<MoRef> {
  const result = await runTask(client, 'CloneVM_Task', {
    _this: moRef(options.from),
    folder: moRef(options.folder),
    name: options.name,
    spec: {
      location: { datastore: moRef(options.datastore), pool: moRef(options.pool) },
      template: false,
      config: { extraConfig: optionValues(options.extraConfig) },
      powerOn: false,
    },
  }, options.signal);
  const ref = readRef(result);
  if (!ref) throw new VsphereFault('InvalidResponse', 'CloneVM_Task returned no VM', 'CloneVM_Task');
  return ref;
}

export interface Reconfigure {
  annotation?: string;
  numCpus?: number;
  memoryMiB?: number;
  extraConfig?: Record<string, string>;
  /** Datastore path of a file the serial port writes (the console). */
  serialFile?: string;
  /** Datastore path of an ISO to insert in a new CD-ROM on the first IDE controller. */
  cdromIso?: string;
}

async function ideControllerKey(client: VsphereClient, vm: MoRef): Promise<string> {
  const devices = children((await properties(client, vm, ['config.hardware.device'])).get('config.hardware.device'), 'VirtualDevice');
  const ide = devices.find((device) => attr(device, 'xsi:type') === 'VirtualIDEController');
  if (!ide) throw new VsphereFault('NoIdeController', 'the VM has no IDE controller for the seed CD-ROM', 'ReconfigVM_Task');
  return text(child(ide, 'key'));
}

const connected = { startConnected: true, allowGuestControl: false, connected: true };

async function deviceChanges(client: VsphereClient, vm: MoRef, change: Reconfigure): Promise<XElement[]> {
  const changes: XElement[] = [];
  if (change.serialFile) {
    const backing = typed('VirtualSerialPortFileBackingInfo', { fileName: change.serialFile });
    changes.push({ operation: 'add', fileOperation: undefined, device: typed('VirtualSerialPort', { key: -1, backing, connectable: connected, yieldOnPoll: true }) });
  }
  if (change.cdromIso) {
    const backing = typed('VirtualCdromIsoBackingInfo', { fileName: change.cdromIso });
    const controllerKey = await ideControllerKey(client, vm);
    changes.push({ operation: 'add', device: typed('VirtualCdrom', { key: -2, backing, connectable: connected, controllerKey, unitNumber: 0 }) });
  }
  return changes;
}

export async function reconfigure(client: VsphereClient, vm: MoRef, change: Reconfigure, signal?: AbortSignal): Promise<void> {
  const spec: XElement = {
    annotation: change.annotation,
    numCPUs: change.numCpus,
    memoryMB: change.memoryMiB,
    deviceChange: await deviceChanges(client, vm, change),
    extraConfig: change.extraConfig ? optionValues(change.extraConfig) : undefined,
  };
  await runTask(client, 'ReconfigVM_Task', { _this: moRef(vm), spec }, signal);
}

/** The VM's extraConfig as a map (guestinfo.* and atomlab.* keys among them). */
export async function extraConfig(client: VsphereClient, vm: MoRef): Promise<Record<string, string>> {
  const values = children((await properties(client, vm, ['config.extraConfig'])).get('config.extraConfig'), 'OptionValue');
  return Object.fromEntries(values.map((value) => [text(child(value, 'key')), text(child(value, 'value'))]));
}

export async function powerState(client: VsphereClient, vm: MoRef): Promise<string> {
  return text((await properties(client, vm, ['runtime.powerState'])).get('runtime.powerState'));
}

export async function power(client: VsphereClient, vm: MoRef, action: 'PowerOnVM_Task' | 'PowerOffVM_Task' | 'ResetVM_Task', signal?: AbortSignal): Promise<void> {
  await runTask(client, action, { _this: moRef(vm) }, signal);
}

/** Asks the guest to shut down (VMware Tools); ToolsUnavailable when no Tools answer. */
export async function shutdownGuest(client: VsphereClient, vm: MoRef): Promise<void> {
  await client.call('ShutdownGuest', { _this: moRef(vm) });
}

export async function guestAddress(client: VsphereClient, vm: MoRef): Promise<string | undefined> {
  return text((await properties(client, vm, ['guest.ipAddress'])).get('guest.ipAddress')) || undefined;
}

function flattenSnapshots(nodes: XNode[]): { name: string; ref: MoRef }[] {
  return nodes.flatMap((node) => {
    const ref = readRef(child(node, 'snapshot'));
    const own = ref ? [{ name: text(child(node, 'name')), ref }] : [];
    return [...own, ...flattenSnapshots(children(node, 'childSnapshotList'))];
  });
}

export async function snapshots(client: VsphereClient, vm: MoRef): Promise<{ name: string; ref: MoRef }[]> {
  const info = (await properties(client, vm, ['snapshot'])).get('snapshot');
  return flattenSnapshots(children(info, 'rootSnapshotList'));
}

export async function createSnapshot(client: VsphereClient, vm: MoRef, name: string, signal?: AbortSignal): Promise<void> {
  await runTask(client, 'CreateSnapshot_Task', { _this: moRef(vm), name, description: 'atomlab', memory: false, quiesce: false }, signal);
}

async function snapshotNamed(client: VsphereClient, vm: MoRef, name: string): Promise<MoRef> {
  const found = (await snapshots(client, vm)).find((snapshot) => snapshot.name === name);
  if (!found) throw new VsphereFault('NotFound', `no snapshot named "${name}"`, 'RevertToSnapshot_Task');
  return found.ref;
}

export async function revertSnapshot(client: VsphereClient, vm: MoRef, name: string, signal?: AbortSignal): Promise<void> {
  await runTask(client, 'RevertToSnapshot_Task', { _this: moRef(await snapshotNamed(client, vm, name)) }, signal);
}

export async function removeSnapshot(client: VsphereClient, vm: MoRef, name: string, signal?: AbortSignal): Promise<void> {
  await runTask(client, 'RemoveSnapshot_Task', { _this: moRef(await snapshotNamed(client, vm, name)), removeChildren: false }, signal);
}

export async function destroyVm(client: VsphereClient, vm: MoRef, signal?: AbortSignal): Promise<void> {
  await runTask(client, 'Destroy_Task', { _this: moRef(vm) }, signal);
}

/** Deletes a datastore file or folder (`[ds] path`); a missing one is not an error. */
export async function deleteDatastoreFile(client: VsphereClient, options: { path: string; datacenter: MoRef; signal?: AbortSignal }): Promise<void> {
  try {
    await runTask(client, 'DeleteDatastoreFile_Task', { _this: moRef(client.service('fileManager')), name: options.path, datacenter: moRef(options.datacenter) }, options.signal);
  } catch (error) {
    if (!(error instanceof VsphereFault && error.fault === 'FileNotFound')) throw error;
  }
}
