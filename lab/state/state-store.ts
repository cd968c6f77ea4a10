import { mkdir, readFile } from 'node:fs/promises';
import { AtomlabError } from '../errors/index.js';
import { writeFileAtomic } from '../files/index.js';
import { emptyState, type LabState } from './lab-state.js';
import { labPaths } from './lab-paths.js';

/**
 * The lab's state file. Every change goes through `update`, serialized within the process and
 * written atomically, so a crash at any moment leaves the last complete state.
 */
export class StateStore {
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly file: string,
    private state: LabState,
  ) {}

  static async open(stateDir: string, lab: string, scenario: string): Promise<StateStore> {
    const file = labPaths(stateDir).stateFile;
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    return new StateStore(file, (await readState(file)) ?? emptyState(lab, scenario));
  }

  get current(): LabState {
    return this.state;
  }

  update(change: (state: LabState) => void): Promise<void> {
    const next = this.chain.then(async () => {
      const copy = structuredClone(this.state);
      change(copy);
      await writeFileAtomic(this.file, `${JSON.stringify(copy, null, 2)}\n`, { mode: 0o600 });
      this.state = copy;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }
}

/** The state version this atomlab writes and reads. */
export const STATE_VERSION = 1;

/** A state file atomlab cannot use: damaged, or written by a newer atomlab. `down --force` branches on it. */
export class UnreadableStateError extends AtomlabError {
  constructor(
    readonly file: string,
    message: string,
    /** The file's JSON when it parsed (a newer version's records may still name VMs). */
    readonly parsed: unknown,
    cause?: unknown,
  ) {
    super(message, { code: 'FAILED', cause, context: { file }, hint: `atomlab down --force removes what it can find without it (this lab's processes, the VMs it still names, its files); or put back a good copy of ${file}` });
    this.name = 'UnreadableStateError';
  }
}

function checkedState(file: string, text: string): LabState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UnreadableStateError(file, `${file} is damaged: ${(error as Error).message}`, undefined, error);
  }
  const version = (parsed as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > STATE_VERSION) {
    throw new UnreadableStateError(file, `${file} was written by a newer atomlab (state version ${version}; this atomlab reads version ${STATE_VERSION})`, parsed);
  }
  if (version !== STATE_VERSION || typeof (parsed as { vms?: unknown }).vms !== 'object') {
    throw new UnreadableStateError(file, `${file} is not a state file atomlab can read (version ${String(version)})`, parsed);
  }
  return parsed as LabState;
}

/** The state file, or undefined when the lab was never brought up. */
export async function readState(file: string): Promise<LabState | undefined> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  return text === undefined ? undefined : checkedState(file, text);
}
