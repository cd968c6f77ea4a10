import { StepFailure } from './step-failure.js';
import type { Guest } from './guest.js';

/** The fields of `rpm-ostree status --json` deployments that steps check. */
export interface Deployment {
  id: string;
  checksum: string;
  serial: number;
  version?: string;
  booted: boolean;
}

export interface OstreeStatus {
  deployments: Deployment[];
  booted: Deployment;
}

const STATUS = 'rpm-ostree status --json';

function deployment(raw: Record<string, unknown>): Deployment {
  const checksum = String(raw.checksum ?? '');
  const serial = Number(raw.serial ?? 0);
  return { id: typeof raw.id === 'string' ? raw.id : `${checksum}.${serial}`, checksum, serial, version: typeof raw.version === 'string' ? raw.version : undefined, booted: raw.booted === true };
}

/** Parses the status document; exactly one deployment must be booted. */
export function parseOstreeStatus(text: string): OstreeStatus {
  const doc = JSON.parse(text) as { deployments?: Record<string, unknown>[] };
  if (!Array.isArray(doc.deployments)) throw new Error('no deployments list');
  const deployments = doc.deployments.map(deployment);
  const booted = deployments.filter((d) => d.booted);
  if (booted.length !== 1) throw new Error(`${booted.length} deployments are marked booted`);
  return { deployments, booted: booted[0]! };
}

export async function ostreeStatus(guest: Guest, signal?: AbortSignal): Promise<OstreeStatus> {
  const result = await guest.exec(STATUS, { timeoutMs: 60_000, signal });
  const output = { command: STATUS, exitCode: result.code, stdout: result.stdout, stderr: result.stderr };
  if (result.code !== 0) throw new StepFailure(`${STATUS} exited ${String(result.code)}`, output, 'is this an rpm-ostree (Atomic) host?');
  try {
    return parseOstreeStatus(result.stdout);
  } catch (error) {
    throw new StepFailure(`${STATUS} gave no usable status: ${(error as Error).message}`, output);
  }
}

export function describeDeployment(d: Deployment): string {
  return `${d.id}${d.version ? ` (version ${d.version})` : ''}`;
}
