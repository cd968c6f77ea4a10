import { AtomlabError } from '../../lab/errors/index.js';

/** What a failed OpenStack call answered: status, the service's own words, and where it went. */
export interface FailedCall {
  operation: string;
  service: string;
  status: number;
  /** The body's message (Nova's `{badRequest: {message}}`, Neutron's `{NeutronError: {type, message}}`, Keystone's `{error: {message}}`, or text). */
  message: string;
  /** Neutron's error type (`OverQuota`, `SecurityGroupInUse`) when it gives one. */
  type?: string;
  requestId?: string;
  attempts?: number;
}

const QUOTA = /quota|over ?limit|OverQuota|exceed/i;

/** The message (and type) of an OpenStack error body, whichever service's shape it has. */
export function errorMessage(body: string): { message: string; type?: string } {
  try {
    const parsed = JSON.parse(body) as Record<string, { message?: string; type?: string; title?: string } | string | undefined>;
    const neutron = parsed.NeutronError;
    if (neutron && typeof neutron === 'object') return { message: neutron.message ?? '', type: neutron.type };
    const first = Object.values(parsed).find((value) => value && typeof value === 'object' && 'message' in value) as { message?: string } | undefined;
    if (first?.message) return { message: first.message };
    if (typeof parsed.message === 'string') return { message: parsed.message };
  } catch {
    // Glance and proxies answer plain text or HTML
  }
  return { message: body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300) };
}

/**
 * One clear AtomlabError for a failed call: what was being done, the status and the cloud's
 * message, and what to do. Request bodies (passwords, user-data) are never put in it.
 */
export function openstackError(call: FailedCall): AtomlabError {
  const context = { provider: 'openstack', operation: call.operation, service: call.service, status: call.status, type: call.type, requestId: call.requestId, attempts: call.attempts };
  const detail = `${call.operation}: HTTP ${call.status}${call.type ? ` ${call.type}` : ''}: ${call.message || 'no message'}`;
  if (call.status === 401) {
    return new AtomlabError(`OpenStack refused the credentials (${detail})`, { context, hint: 'they may have expired or been revoked: download a fresh clouds.yaml or openrc (application credentials can expire), or check the cloud: entry' });
  }
  if ((call.status === 403 || call.status === 409 || call.status === 413) && QUOTA.test(`${call.type ?? ''} ${call.message}`) && call.attempts === undefined) {
    return new AtomlabError(`OpenStack quota reached (${detail})`, { context, hint: 'free some of it (atomlab down on other labs, openstack server list), pick a smaller flavor, or ask the cloud\'s operators to raise the project quota (openstack quota show)' });
  }
  if (call.status === 413 || call.status === 429 || call.status === 503) {
    return new AtomlabError(`OpenStack kept limiting the request rate after ${call.attempts ?? 1} attempts (${detail})`, { context, hint: 'wait a minute and run the command again; fewer VMs at once (--parallel) send fewer requests' });
  }
  return new AtomlabError(`OpenStack call failed (${detail})`, { context });
}

/** True for a thing already gone (404), which deletes treat as done. */
export function isNotFound(error: unknown): boolean {
  return error instanceof AtomlabError && error.context.provider === 'openstack' && error.context.status === 404;
}
