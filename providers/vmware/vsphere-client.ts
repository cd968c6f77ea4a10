import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { AtomlabError } from '../../lab/errors/index.js';
import { at, attr, child, children, envelope, moRef, parseXml, readRef, text, type XElement, type XNode } from './soap-xml.js';

/**
 * A thin vSphere Web Services (SOAP) client: one HTTPS session, calls by method name, faults as
 * VsphereFault, HTTP transfers for datastore files and NFC uploads. No lab logic here.
 */

export interface MoRef {
  type: string;
  value: string;
}

export interface VsphereConnection {
  /** `https://host[:port]/sdk`. */
  url: string;
  /** PEM CA certificate(s) trusted for the server (absent: the system's). */
  ca?: string;
  /** Accept any server certificate (a lab ESXi with its self-signed one). */
  insecure: boolean;
  timeoutMs: number;
}

/** A SOAP fault: its vim25 type (`InvalidLogin`, `NotAuthenticated`, `FileNotFound`, …) and text. */
export class VsphereFault extends Error {
  constructor(readonly fault: string, message: string, readonly method: string) {
    super(message);
    this.name = 'VsphereFault';
  }
}

interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export class VsphereClient {
  private cookie: string | undefined;
  private apiVersion = '6.5';
  serviceContent: XNode | undefined;

  constructor(readonly connection: VsphereConnection) {}

  /** The server's origin (`https://host:port`), what `*` in lease URLs stands for. */
  get origin(): string {
    return new URL(this.connection.url).origin;
  }

  /** ServiceContent (always allowed before login); remembers the API version for SOAPAction. */
  async connect(): Promise<XNode> {
    const content = await this.call('RetrieveServiceContent', { _this: moRef({ type: 'ServiceInstance', value: 'ServiceInstance' }) });
    if (!content) throw new VsphereFault('InvalidResponse', 'RetrieveServiceContent returned nothing', 'RetrieveServiceContent');
    this.serviceContent = content;
    this.apiVersion = text(at(content, 'about', 'apiVersion')) || this.apiVersion;
    return content;
  }

  /** A managed object named in ServiceContent (`sessionManager`, `propertyCollector`, …). */
  service(name: string): MoRef {
    const ref = readRef(child(this.serviceContent, name));
    if (!ref) throw new VsphereFault('NotSupported', `this server has no ${name}`, 'RetrieveServiceContent');
    return ref;
  }

  async login(username: string, password: string): Promise<void> {
    await this.call('Login', { _this: moRef(this.service('sessionManager')), userName: username, password });
  }

  async logout(): Promise<void> {
    if (!this.cookie) return;
    await this.call('Logout', { _this: moRef(this.service('sessionManager')) }).catch(() => undefined);
    this.cookie = undefined;
  }

  /** Calls one method; returns its `returnval` (undefined for void methods). */
  async call(method: string, body: XElement): Promise<XNode | undefined> {
    return (await this.callAll(method, body))[0];
  }

  /** Calls one method; returns every `returnval` (methods that answer a list). */
  async callAll(method: string, body: XElement): Promise<XNode[]> {
    const response = await this.http('POST', this.connection.url, {
      body: envelope(method, body),
      headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `urn:vim25/${this.apiVersion}` },
    });
    this.keepCookie(response);
    const parsed = at(parseXml(response.body.toString('utf8')), 'Envelope', 'Body');
    const fault = child(parsed, 'Fault');
    if (fault) throw readFault(fault, method);
    if (response.status >= 400) throw new VsphereFault('HttpError', `HTTP ${response.status}`, method);
    return children(child(parsed, `${method}Response`), 'returnval');
  }

  private keepCookie(response: HttpResult): void {
    const setCookie = response.headers['set-cookie'];
    const found = (Array.isArray(setCookie) ? setCookie : []).find((line) => line.startsWith('vmware_soap_session='));
    if (found) this.cookie = found.split(';')[0];
  }

  /** Sends a local file to a URL (an NFC lease device URL, a datastore path). */
  async upload(url: string, file: string, options: { method: 'PUT' | 'POST'; contentType: string; headers?: Record<string, string> }): Promise<void> {
    const size = (await stat(file)).size;
    const response = await this.http(options.method, url, {
      body: createReadStream(file),
      headers: { 'Content-Type': options.contentType, 'Content-Length': String(size), ...options.headers },
    });
    if (response.status >= 300) throw new VsphereFault('HttpError', `upload to ${new URL(url).pathname} answered HTTP ${response.status}: ${response.body.toString('utf8').slice(0, 200)}`, options.method);
  }

  /** GET a URL of this server; undefined on 404. */
  async download(url: string): Promise<Buffer | undefined> {
    const response = await this.http('GET', url, {});
    if (response.status === 404) return undefined;
    if (response.status >= 300) throw new VsphereFault('HttpError', `GET ${new URL(url).pathname} answered HTTP ${response.status}`, 'GET');
    return response.body;
  }

  private http(method: string, url: string, request: { body?: string | Readable; headers?: Record<string, string> }): Promise<HttpResult> {
    const headers: Record<string, string> = { ...request.headers, ...(this.cookie ? { Cookie: this.cookie } : {}) };
    return new Promise((resolve, reject) => {
      const req = https.request(url, { method, headers, ca: this.connection.ca, rejectUnauthorized: !this.connection.insecure, timeout: this.connection.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer from ${new URL(url).host} within ${this.connection.timeoutMs} ms`)));
      req.on('error', reject);
      if (typeof request.body === 'string') req.end(request.body);
      else if (request.body) request.body.on('error', reject).pipe(req);
      else req.end();
    });
  }
}

function readFault(fault: XNode, method: string): VsphereFault {
  const detail = child(fault, 'detail');
  const first = detail ? Object.entries(detail).find(([key, value]) => !key.startsWith('@_') && key !== '#text' && Array.isArray(value)) : undefined;
  const node = first ? (first[1] as XNode[])[0] : undefined;
  const name = attr(node, 'xsi:type') ?? first?.[0].replace(/Fault$/, '') ?? 'Unknown';
  return new VsphereFault(name, text(child(fault, 'faultstring')) || name, method);
}

/** Turns a VsphereFault (or a network error) into the one error type, with what to do. */
export function vsphereError(error: unknown, what: string, context: Record<string, unknown>): AtomlabError {
  if (error instanceof AtomlabError) return error;
  const fault = error instanceof VsphereFault ? error.fault : undefined;
  const hints: Record<string, string> = {
    InvalidLogin: 'check the user name and password (provider credentials, or ATOMLAB_VSPHERE_USERNAME / ATOMLAB_VSPHERE_PASSWORD)',
    NotAuthenticated: 'the vSphere session ended (expired or logged out); run the command again to log in anew',
  };
  const message = error instanceof Error ? error.message : String(error);
  return new AtomlabError(`vSphere: ${what} failed: ${fault ? `${fault}: ` : ''}${message}`, {
    code: fault === 'InvalidLogin' ? 'BAD_INPUT' : 'FAILED',
    hint: (fault && hints[fault]) ?? undefined,
    context: { provider: 'vmware', fault, ...context },
    cause: error,
  });
}
