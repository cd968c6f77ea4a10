import { matchSignature, type ConsoleSignature } from './console-signatures.js';

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');

/**
 * Reads a VM's console while readiness runs: keeps the last lines for error messages, records
 * milestones, and aborts readiness on a fatal signature.
 */
export class ConsoleWatch {
  readonly tail: string[] = [];
  readonly milestones = new Set<string>();
  readonly warnings: string[] = [];
  fatal: string | undefined;
  private readonly controller = new AbortController();

  constructor(
    private readonly keep = 40,
    private readonly onFatal: (meaning: string) => void = () => undefined,
  ) {}

  /** Consumes lines until the source ends or `stop` is called. */
  async consume(lines: (signal: AbortSignal) => AsyncIterable<string>): Promise<void> {
    try {
      for await (const raw of lines(this.controller.signal)) this.take(raw);
    } catch {
      // the console went away (the VM stopped): readiness notices on its own
    }
  }

  take(raw: string): void {
    const line = raw.replace(ANSI, '').replace(/\r/g, '');
    this.tail.push(line);
    if (this.tail.length > this.keep) this.tail.shift();
    const signature: ConsoleSignature | undefined = matchSignature(line);
    if (!signature) return;
    if (signature.level === 'progress') this.milestones.add(signature.meaning);
    else if (signature.level === 'warn') this.warnings.push(signature.meaning);
    else if (!this.fatal) {
      this.fatal = signature.meaning;
      this.onFatal(signature.meaning);
    }
  }

  stop(): void {
    this.controller.abort();
  }
}
