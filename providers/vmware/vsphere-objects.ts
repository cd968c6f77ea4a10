import { setTimeout as delay } from 'node:timers/promises';
import { at, attr, child, children, moRef, readRef, text, typed, type XElement, type XNode } from './soap-xml.js';
import { VsphereFault, type MoRef, type VsphereClient } from './vsphere-client.js';

/** Property retrieval, inventory look-ups and task waits on top of the SOAP client. */

export interface ObjectProps {
  ref: MoRef;
  props: Map<string, XNode>;
}

function readObject(node: XNode): ObjectProps {
  const props = new Map<string, XNode>();
  for (const set of children(node, 'propSet')) props.set(text(child(set, 'name')), child(set, 'val') ?? {});
  return { ref: readRef(child(node, 'obj')) ?? { type: '', value: '' }, props };
}

/** Properties of one object (missing object: ManagedObjectNotFound fault). */
export async function properties(client: VsphereClient, ref: MoRef, paths: string[]): Promise<Map<string, XNode>> {
  const found = await client.callAll('RetrieveProperties', {
    _this: moRef(client.service('propertyCollector')),
    specSet: { propSet: { type: ref.type, pathSet: paths }, objectSet: { obj: moRef(ref), skip: false } },
  });
  return found[0] ? readObject(found[0]).props : new Map();
}

/** Every object of a type under the root folder, with the properties asked for. */
export async function listObjects(client: VsphereClient, type: string, paths: string[]): Promise<ObjectProps[]> {
  const view = readRef(await client.call('CreateContainerView', {
    _this: moRef(client.service('viewManager')),
    container: moRef(client.service('rootFolder')),
    type,
    recursive: true,
  }));
  if (!view) return [];
  try {
    const traversal = typed('TraversalSpec', { name: 'view', type: 'ContainerView', path: 'view', skip: false });
    const found = await client.callAll('RetrieveProperties', {
      _this: moRef(client.service('propertyCollector')),
      specSet: { propSet: { type, pathSet: paths }, objectSet: { obj: moRef(view), skip: true, selectSet: traversal } },
    });
    return found.map(readObject);
  } finally {
    await client.call('DestroyView', { _this: moRef(view) }).catch(() => undefined);
  }
}

/** The object of that type with that name, if any. */
export async function findByName(client: VsphereClient, type: string, name: string, paths: string[] = []): Promise<ObjectProps | undefined> {
  const all = await listObjects(client, type, ['name', ...paths]);
  return all.find((object) => text(object.props.get('name')) === name);
}

/** Waits for a task; returns its result element, or throws its fault. */
export async function waitTask(client: VsphereClient, task: XNode | undefined, method: string, signal?: AbortSignal): Promise<XNode | undefined> {
  const ref = readRef(task);
  if (!ref) throw new VsphereFault('InvalidResponse', `${method} returned no task`, method);
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    const info = (await properties(client, ref, ['info'])).get('info');
    const state = text(child(info, 'state'));
    if (state === 'success') return child(info, 'result');
    if (state === 'error') throw taskFault(child(info, 'error'), method);
    await delay(wait, undefined, { signal });
  }
}

function taskFault(error: XNode | undefined, method: string): VsphereFault {
  const fault = child(error, 'fault');
  const name = attr(fault, 'xsi:type') ?? 'Fault';
  return new VsphereFault(name, text(child(error, 'localizedMessage')) || name, method);
}

/** Calls a `…_Task` method and waits for it. */
export async function runTask(client: VsphereClient, method: string, body: XElement, signal?: AbortSignal): Promise<XNode | undefined> {
  return waitTask(client, await client.call(method, body), method, signal);
}

/** `[datastore] path` as the API writes datastore paths. */
export function datastorePath(datastore: string, path: string): string {
  return `[${datastore}] ${path}`;
}

export { at, readRef };
