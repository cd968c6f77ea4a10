import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { StepContext, StepExecutor } from './step-context.js';
import { StepFailure } from './step-failure.js';

/** Sends a GET over an open stream and reads the status line. */
function httpStatus(stream: Duplex, path: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let head = '';
    stream.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const line = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(head);
      if (line) resolve(Number(line[1]));
      else if (head.includes('\r\n')) reject(new Error(`not an HTTP answer: ${head.split('\r\n')[0]}`));
    });
    stream.on('error', reject);
    stream.on('close', () => reject(new Error('closed before an HTTP status line')));
    stream.write(`GET ${path} HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`);
  });
}

/** One try: the port accepts (and answers HTTP with the wanted status); undefined when it does. */
async function probe(ctx: StepContext): Promise<string | undefined> {
  if (ctx.step.action.kind !== 'wait-port') throw new Error('not a wait-port step');
  const { port, http } = ctx.step.action;
  let opened;
  try {
    opened = await ctx.guest.connectPort(port, ctx.signal);
  } catch (error) {
    return `port ${port}: ${(error as Error).message}`;
  }
  try {
    if (!http) return undefined;
    const stream: Duplex = http.tls ? tlsConnect({ socket: opened.channel, rejectUnauthorized: false, servername: 'localhost' }) : opened.channel;
    const status = await httpStatus(stream, http.path, port);
    stream.destroy();
    return http.status === undefined || status === http.status ? undefined : `GET ${http.path} answered ${status}, expected ${http.status}`;
  } catch (error) {
    return `port ${port} accepted, but HTTP failed: ${(error as Error).message}`;
  } finally {
    opened.client.destroy();
  }
}

/** `wait-port`: a guest TCP port answers, reached through SSH (no forwarded port needed). */
export const waitPortStep: StepExecutor = async (ctx) => {
  let last = 'no attempt finished';
  for (let attempt = 0; ctx.remaining() > 0 && !ctx.signal.aborted; attempt++) {
    const problem = await probe(ctx);
    if (problem === undefined) return { detail: last === 'no attempt finished' ? 'answered' : `answered (after: ${last})` };
    last = problem;
    ctx.progress(problem);
    await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 250 * 2 ** attempt)));
  }
  throw new StepFailure(`timed out: ${last}`);
};
