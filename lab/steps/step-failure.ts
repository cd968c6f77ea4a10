import { AtomlabError } from '../errors/index.js';

/** What a failed step ran and what it printed, for reports. */
export interface StepOutput {
  command?: string;
  exitCode?: number | null;
  stdout?: string;
  stderr?: string;
}

/** A step's check failed: carries the command and its output so reports can show them. */
export class StepFailure extends AtomlabError {
  constructor(
    message: string,
    readonly output: StepOutput = {},
    hint?: string,
  ) {
    super(message, { code: 'FAILED', hint, context: { command: output.command, exitCode: output.exitCode ?? undefined } });
    this.name = 'StepFailure';
  }
}
