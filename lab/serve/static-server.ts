import { createReadStream, type Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { parseByteRange } from './byte-range.js';

export interface StaticServerOptions {
  /** The directory served; nothing outside it is ever read. */
  root: string;
  /** One line per request (method, path, status, bytes). */
  log?: (line: string) => void;
  /** A slow mirror: responses to paths matching `match` start only after `ms`. */
  delay?: { match: RegExp; ms: number };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.rpm': 'application/x-rpm',
  '.gz': 'application/gzip',
  '.xz': 'application/x-xz',
};

/** Whether `path` is `root` or below it (both already resolved). */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}

/** The file a request path names, or undefined when it is outside the root (also through symlinks). */
async function fileFor(realRoot: string, urlPath: string): Promise<{ path: string; info: Stats } | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const candidate = resolve(realRoot, `.${decoded.startsWith('/') ? decoded : `/${decoded}`}`);
  if (!isInside(realRoot, candidate)) return undefined;
  const real = await realpath(candidate).catch(() => undefined);
  if (!real || !isInside(realRoot, real)) return undefined;
  const info = await stat(real).catch(() => undefined);
  return info?.isFile() ? { path: real, info } : undefined;
}

function finish(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): number {
  const body = `${text}\n`;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
  return 0;
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: { path: string; info: Stats }): number {
  const { size, mtime } = file.info;
  const range = parseByteRange(req.headers.range, size);
  const headers: Record<string, string> = {
    'Accept-Ranges': 'bytes',
    'Content-Type': TYPES[extname(file.path)] ?? 'application/octet-stream',
    'Last-Modified': mtime.toUTCString(),
  };
  if (range === 'unsatisfiable') return finish(res, 416, 'range not satisfiable', { 'Content-Range': `bytes */${size}` });
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const length = size === 0 ? 0 : end - start + 1;
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  res.writeHead(range ? 206 : 200, { ...headers, 'Content-Length': String(length) });
  if (req.method === 'HEAD' || length === 0) {
    res.end();
    return 0;
  }
  createReadStream(file.path, { start, end }).on('error', () => res.destroy()).pipe(res);
  return length;
}

async function handle(realRoot: string, req: IncomingMessage, res: ServerResponse): Promise<number> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return finish(res, 405, 'only GET and HEAD', { Allow: 'GET, HEAD' });
  const urlPath = (req.url ?? '/').split('?')[0]!;
  const file = await fileFor(realRoot, urlPath);
  if (!file) return finish(res, 404, 'not found');
  return sendFile(req, res, file);
}

/** A static file server for one directory: GET and HEAD, single byte ranges, 404 for anything else. */
export async function createStaticServer(options: StaticServerOptions): Promise<Server> {
  const realRoot = await realpath(options.root);
  return createServer((req, res) => {
    const wait = options.delay && options.delay.match.test((req.url ?? '/').split('?')[0]!) ? options.delay.ms : 0;
    if (!wait) return respond(realRoot, req, res, options);
    const timer = setTimeout(() => respond(realRoot, req, res, options), wait);
    res.on('close', () => clearTimeout(timer));
  });
}

function respond(realRoot: string, req: IncomingMessage, res: ServerResponse, options: StaticServerOptions): void {
  handle(realRoot, req, res).then(
      (bytes) => options.log?.(`${new Date().toISOString()} ${req.socket.remoteAddress ?? '-'} ${req.method} ${req.url} ${res.statusCode} ${bytes}`),
      (error: unknown) => {
        options.log?.(`${new Date().toISOString()} ${req.method} ${req.url} failed: ${error instanceof Error ? error.message : String(error)}`);
        if (!res.headersSent) finish(res, 500, 'internal error');
        else res.destroy();
      },
    );
}
