/** What the engine tells its views (the listr2 terminal view, JSON output, reports). */
export type LabEvent =
  | { kind: 'phase'; vm: string; phase: VmPhase; detail?: string }
  | { kind: 'progress'; vm: string; detail: string }
  | { kind: 'warning'; vm?: string; message: string }
  /** This command now holds the lab's lock: what it reports from here on is the lab's. */
  | { kind: 'held'; vm?: undefined; lab: string };

export type VmPhase =
  | 'image'
  | 'disk'
  | 'seed'
  | 'create'
  | 'start'
  | 'ready'
  | 'verified'
  | 'unchanged'
  | 'changed'
  | 'failed'
  | 'retrying'
  | 'stopping'
  | 'removed';

export type EventSink = (event: LabEvent) => void;

export const ignoreEvents: EventSink = () => undefined;
