/**
 * The lab's file server as its own process, so it outlives the `atomlab up` that started it:
 *   node serve-daemon.js --root DIR --host 127.0.0.1 --port N --log FILE [--delay-match RE --delay-ms N]
 * Reports {listening: port} or {error} to its parent over IPC, then runs detached until SIGTERM.
 */
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { createStaticServer } from './static-server.js';

export interface DaemonMessage {
  listening?: number;
  error?: { code?: string; message: string };
}

function tell(message: DaemonMessage): void {
  if (process.send) process.send(message, () => process.disconnect?.());
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { root: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' }, log: { type: 'string' }, 'delay-match': { type: 'string' }, 'delay-ms': { type: 'string' } } });
  if (!values.root || !values.host || !values.port || !values.log) throw new Error('usage: serve-daemon --root DIR --host ADDR --port N --log FILE');
  const log = createWriteStream(values.log, { flags: 'a', mode: 0o600 });
  const write = (line: string) => log.write(`${line}\n`);
  const delay = values['delay-match'] ? { match: new RegExp(values['delay-match']), ms: Number(values['delay-ms'] ?? 0) } : undefined;
  const server = await createStaticServer({ root: values.root, log: write, delay });
  const stop = () => {
    write(`${new Date().toISOString()} stopping (SIGTERM)`);
    server.close();
    server.closeAllConnections();
    log.end(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  server.once('error', (error: NodeJS.ErrnoException) => {
    tell({ error: { code: error.code, message: error.message } });
    log.end(() => process.exit(1));
  });
  server.listen({ host: values.host, port: Number(values.port), exclusive: true }, () => {
    write(`${new Date().toISOString()} serving ${values.root} on http://${values.host}:${values.port} (pid ${process.pid})`);
    tell({ listening: Number(values.port) });
  });
}

main().catch((error: unknown) => {
  tell({ error: { message: error instanceof Error ? error.message : String(error) } });
  process.exitCode = 1;
});
