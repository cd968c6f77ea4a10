import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { recreateVm, resetVm, revertVm, type LabRef, type Progress } from './lab-actions.js';

export type ActionKind = 'reset' | 'revert' | 'recreate';

/** One button press, as the page follows it. */
export interface ActionStatus {
  id: string;
  vm: string;
  kind: ActionKind;
  snapshot?: string;
  state: 'running' | 'done' | 'failed';
  detail: string;
  startedAt: string;
  finishedAt?: string;
}

export class ActionRefused extends Error {}

const SNAPSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Runs the dashboard's changing actions, one at a time per VM, and tells listeners (`action`
 * events) how each goes. Actions outlive the request that started them; the page follows them.
 */
export class ActionRunner extends EventEmitter {
  private readonly actions = new Map<string, ActionStatus>();
  private readonly controller = new AbortController();

  constructor(private readonly lab: LabRef) {
    super();
  }

  list(): ActionStatus[] {
    return [...this.actions.values()];
  }

  start(vm: string, kind: ActionKind, snapshot?: string): ActionStatus {
    if (this.list().some((a) => a.vm === vm && a.state === 'running')) throw new ActionRefused(`${vm} is busy with another action`);
    if (kind === 'revert' && !SNAPSHOT_NAME.test(snapshot ?? '')) throw new ActionRefused('revert needs a snapshot name (letters, digits, ., _ and -)');
    const action: ActionStatus = { id: randomUUID(), vm, kind, state: 'running', detail: `${kind} requested`, startedAt: new Date().toISOString(), ...(snapshot ? { snapshot } : {}) };
    this.actions.set(action.id, action);
    this.changed(action);
    void this.run(action);
    return action;
  }

  private async run(action: ActionStatus): Promise<void> {
    const progress: Progress = (detail) => this.changed(Object.assign(action, { detail }));
    const signal = this.controller.signal;
    try {
      const outcome =
        action.kind === 'reset' ? await resetVm(this.lab, action.vm, progress, signal)
        : action.kind === 'revert' ? await revertVm(this.lab, action.vm, action.snapshot!, progress, signal)
        : await recreateVm(this.lab, action.vm, progress, signal);
      this.changed(Object.assign(action, { state: 'done', detail: outcome, finishedAt: new Date().toISOString() }));
    } catch (error) {
      this.changed(Object.assign(action, { state: 'failed', detail: error instanceof Error ? error.message : String(error), finishedAt: new Date().toISOString() }));
    }
  }

  private changed(action: ActionStatus): void {
    this.emit('action', { ...action });
  }

  /** Stops what is running (the dashboard is closing). */
  stop(): void {
    this.controller.abort();
  }
}
