/** What a failure was about: every field optional, all plain data. */
export interface ErrorContext {
  vm?: string;
  provider?: string;
  step?: string;
  command?: string;
  exitCode?: number;
  stderrTail?: string;
  logPath?: string;
  file?: string;
  [key: string]: unknown;
}

/**
 * Stable error codes. The CLI maps each to an exit code: bad input 2,
 * missing host prerequisite 3, interrupted 130, everything else 1.
 */
export type ErrorCode =
  | 'BAD_INPUT'
  | 'SCENARIO_INVALID'
  | 'MISSING_TOOL'
  | 'INTERRUPTED'
  | 'NOT_FOUND'
  | 'IO'
  | 'FAILED';

export interface AtomlabErrorOptions {
  code?: ErrorCode;
  hint?: string;
  context?: ErrorContext;
  cause?: unknown;
}

/** The one error type of atomlab: a short message, what to do, and the context. */
export class AtomlabError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly context: ErrorContext;

  constructor(message: string, options: AtomlabErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AtomlabError';
    this.code = options.code ?? 'FAILED';
    this.hint = options.hint;
    this.context = options.context ?? {};
  }

  /** One or two lines for a terminal: the message, then the hint. */
  get shortMessage(): string {
    return this.hint ? `${this.message}\n  hint: ${this.hint}` : this.message;
  }

  /** Everything, for reports and logs. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      hint: this.hint,
      context: this.context,
      cause: this.cause instanceof Error ? this.cause.message : this.cause,
    };
  }
}

/** One problem in an input file, pointing at a position. */
export interface Problem {
  file: string;
  line: number;
  col: number;
  message: string;
}

/** Control characters and line separators a message quotes from the input, escaped: one problem stays one line, and no terminal escape gets through. */
function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col}: ${escapeControls(p.message)}`;
}

/** A file failed validation: carries every problem found, not just the first. */
export class InvalidFileError extends AtomlabError {
  readonly problems: Problem[];

  constructor(problems: Problem[], options: AtomlabErrorOptions = {}) {
    super(problems.map(formatProblem).join('\n'), { code: 'SCENARIO_INVALID', ...options });
    this.name = 'InvalidFileError';
    this.problems = problems;
  }
}

const EXIT_CODES: Record<ErrorCode, number> = {
  BAD_INPUT: 2,
  SCENARIO_INVALID: 2,
  MISSING_TOOL: 3,
  INTERRUPTED: 130,
  NOT_FOUND: 1,
  IO: 1,
  FAILED: 1,
};

export function exitCodeFor(error: unknown): number {
  return error instanceof AtomlabError ? EXIT_CODES[error.code] : 1;
}
