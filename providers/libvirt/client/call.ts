import { koffi, libvirt, type LibvirtFunctions } from './library.js';
import { LibvirtError, readError, unknownError } from './errors.js';

export type FunctionName = keyof LibvirtFunctions;

/** How a function signals failure: NULL pointers, or a negative int. */
export type Failure = 'null' | 'negative';

function failed(result: unknown, failure: Failure): boolean {
  if (failure === 'null') return result === null || result === 0n || result === undefined;
  return typeof result === 'number' && result < 0;
}

/** Runs one function on a koffi worker thread. */
export function callAsync(name: FunctionName, args: unknown[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    libvirt()[name].async(...args, (error: unknown, result: unknown) => (error ? reject(error) : resolve(result)));
  });
}

/**
 * Serializes a connection's calls (virConnGetLastError holds one error per connection, so only
 * one call may be in flight) and turns failures into LibvirtError.
 */
export class CallQueue {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly conn: () => bigint) {}

  run<T>(name: FunctionName, args: unknown[], failure: Failure, context: Record<string, unknown> = {}): Promise<T> {
    const next = this.tail.then(() => this.once<T>(name, args, failure, context));
    this.tail = next.catch(() => undefined);
    return next;
  }

  private async once<T>(name: FunctionName, args: unknown[], failure: Failure, context: Record<string, unknown>): Promise<T> {
    const lib = libvirt();
    lib.virConnResetLastError(this.conn());
    const result = await callAsync(name, args);
    if (!failed(result, failure)) return result as T;
    const detail = readError(lib.virConnGetLastError(this.conn())) ?? unknownError(name);
    throw new LibvirtError(name, detail, { context });
  }
}

/**
 * Copies a libvirt-allocated array of object pointers, then frees the array itself (each element
 * stays owned by the caller, who must free it with the object's own free function).
 */
export function takePointerArray(array: unknown, count: number): bigint[] {
  if (count <= 0 || array === null || array === undefined) {
    if (array) koffi.free(array);
    return [];
  }
  const items = koffi.decode(array, 'void *', count) as bigint[];
  koffi.free(array);
  return items;
}
