import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AtomlabError } from '../errors/index.js';
import { packagePath } from '../paths/index.js';
import { ActionRefused, ActionRunner, type ActionKind } from './action-runner.js';
import { labBusy, listSnapshots, type LabRef } from './lab-actions.js';
import { LabWatcher } from './lab-watcher.js';
import { pageResponse, reportResponse, rosterResponse, type Reply } from './responses.js';
import { newToken, tokenMatches } from './token.js';

export interface DashboardOptions {
  /** The scenario file of the lab shown. */
  file: string;
  /** The providers this atomlab has. */
  providers: LabRef['providers'];
  /** Address to listen on (default 127.0.0.1: this machine only). */
  listen?: string;
  /** Port (default: a free one). */
  port?: number;
  /** How often the lab is read again (ms). */
  intervalMs?: number;
}

export interface Dashboard {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const HEADERS = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
};
const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function send(res: ServerResponse, reply: Reply): void {
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body) : reply.body;
  res.writeHead(reply.status, { ...HEADERS, 'Content-Security-Policy': reply.csp ?? PAGE_CSP, 'Content-Type': reply.type, 'Content-Length': String(body.length) });
  res.end(body);
}

const json = (status: number, value: unknown): Reply => ({ status, type: 'application/json', body: JSON.stringify(value) });

interface Context {
  lab: LabRef;
  token: string;
  watcher: LabWatcher;
  actions: ActionRunner;
}

function readBody(req: IncomingMessage, limit = 16_384): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
      if (body.length > limit) reject(new ActionRefused('request body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** A changing request: POST, the token in its header, and no page of another origin behind it. */
function foreignOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  return origin !== undefined && origin !== `http://${req.headers.host ?? ''}`;
}

async function act(ctx: Context, req: IncomingMessage, vm: string): Promise<Reply> {
  if (foreignOrigin(req)) return json(403, { error: 'requests from another origin are refused' });
  if (!tokenMatches(ctx.token, req.headers['x-atomlab-token'] as string | undefined)) return json(403, { error: 'a valid X-Atomlab-Token header is required' });
  const body = JSON.parse((await readBody(req)) || '{}') as { kind?: string; snapshot?: string };
  if (!['reset', 'revert', 'recreate'].includes(body.kind ?? '')) return json(400, { error: 'kind must be reset, revert or recreate' });
  if (!ctx.watcher.current?.vms.some((v) => v.id === vm)) return json(404, { error: `no VM ${vm} in this lab` });
  const busy = await labBusy(ctx.lab.file);
  if (busy) return json(409, { error: busy });
  return json(202, ctx.actions.start(vm, body.kind as ActionKind, body.snapshot));
}

function events(ctx: Context, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { ...HEADERS, 'Content-Type': 'text/event-stream', Connection: 'keep-alive' });
  const push = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  push('lab', ctx.watcher.current);
  push('consoles', ctx.watcher.consoles());
  for (const action of ctx.actions.list()) push('action', action);
  const onLab = (view: unknown) => push('lab', view);
  const onConsole = (lines: unknown) => push('console', lines);
  const onAction = (action: unknown) => push('action', action);
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  ctx.watcher.on('lab', onLab).on('console', onConsole);
  ctx.actions.on('action', onAction);
  req.on('close', () => {
    clearInterval(keepAlive);
    ctx.watcher.off('lab', onLab).off('console', onConsole);
    ctx.actions.off('action', onAction);
  });
}

async function get(ctx: Context, req: IncomingMessage, res: ServerResponse, path: string): Promise<Reply | undefined> {
  if (path === '/') return pageResponse(ctx.token);
  if (path === '/app.js' || path === '/app.css') {
    const type = path.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8';
    return { status: 200, type, body: await readFile(packagePath('lab', 'dashboard', 'page', path.slice(1))) };
  }
  if (path === '/api/lab') return json(200, { lab: ctx.watcher.current, consoles: ctx.watcher.consoles(), actions: ctx.actions.list() });
  if (path === '/api/events') return void events(ctx, req, res);
  const snapshots = /^\/api\/vms\/([^/]+)\/snapshots$/.exec(path);
  if (snapshots) return json(200, { snapshots: await listSnapshots(ctx.lab, decodeURIComponent(snapshots[1]!)) });
  if (path === '/roster') return rosterResponse(ctx.lab.file);
  const report = /^\/reports\/(junit|html|json)$/.exec(path);
  if (report) return reportResponse(ctx.watcher.current?.progress, report[1] as 'junit' | 'html' | 'json');
  return json(404, { error: 'not found' });
}

async function route(ctx: Context, req: IncomingMessage, res: ServerResponse): Promise<Reply | undefined> {
  const url = new URL(req.url ?? '/', 'http://dashboard');
  const action = /^\/api\/vms\/([^/]+)\/actions$/.exec(url.pathname);
  if (action && req.method !== 'POST') return json(405, { error: 'actions are POSTs' });
  if (action) return act(ctx, req, decodeURIComponent(action[1]!));
  if (req.method !== 'GET') return json(405, { error: 'GET, or POST for actions' });
  if (!tokenMatches(ctx.token, url.searchParams.get('token'))) return { status: 403, type: 'text/plain; charset=utf-8', body: 'atomlab dashboard: open the URL with the token atomlab dashboard printed\n' };
  return get(ctx, req, res, url.pathname);
}

/** A refused action 409, a malformed body 400, a VM the lab does not have (a made-up or `../` name) 404, else 500. */
function errorStatus(error: unknown): number {
  if (error instanceof ActionRefused) return 409;
  if (error instanceof SyntaxError) return 400;
  if (error instanceof AtomlabError && error.code === 'BAD_INPUT' && error.context.vm !== undefined) return 404;
  return 500;
}

function handler(ctx: Context) {
  return (req: IncomingMessage, res: ServerResponse) => {
    route(ctx, req, res).then(
      (reply) => reply && send(res, reply),
      (error: unknown) => send(res, json(errorStatus(error), { error: error instanceof Error ? error.message : String(error) })),
    );
  };
}

function hostForUrl(listen: string): string {
  return listen.includes(':') ? `[${listen}]` : listen;
}

/** Serves the lab's live page until closed; every request needs the token. */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const lab: LabRef = { file: options.file, providers: options.providers };
  const watcher = new LabWatcher(lab, options.intervalMs);
  await watcher.start();
  const ctx: Context = { lab, token: newToken(), watcher, actions: new ActionRunner(lab) };
  const server: Server = createServer(handler(ctx));
  const listen = options.listen ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: listen, port: options.port ?? 0 }, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const close = async () => {
    watcher.stop();
    ctx.actions.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url: `http://${hostForUrl(listen)}:${port}/?token=${ctx.token}`, token: ctx.token, port, close };
}
