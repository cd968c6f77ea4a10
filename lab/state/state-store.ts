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

/** The state file, or undefined when the lab was never brought up. */
export async function readState(file: string): Promise<LabState | undefined> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  try {
    const state = JSON.parse(text) as LabState;
    if (state.version !== 1) throw new Error(`version ${String(state.version)}`);
    return state;
  } catch (error) {
    throw new AtomlabError(`${file} is not a state file atomlab can read`, { code: 'FAILED', cause: error, hint: 'move it away; VMs it listed may need removing by hand' });
  }
}
