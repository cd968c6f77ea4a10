import { AtomlabError } from '../../lab/errors/index.js';

/** AWS error codes grouped by what the user can do about them. */
const CREDENTIALS = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'AuthFailure', 'UnrecognizedClientException', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'CredentialsProviderError', 'AccessDeniedException']);
const QUOTA = new Set(['InstanceLimitExceeded', 'VcpuLimitExceeded', 'ResourceLimitExceeded', 'ServiceQuotaExceededException', 'SnapshotLimitExceeded', 'VolumeLimitExceeded', 'SecurityGroupLimitExceeded', 'RulesPerSecurityGroupLimitExceeded', 'KeyPairLimitExceeded', 'AddressLimitExceeded', 'InsufficientInstanceCapacity']);
const THROTTLED = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'RequestThrottledException', 'RequestThrottled', 'SlowDown', 'TooManyRequestsException']);

interface AwsErrorShape {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
}

export function awsErrorCode(error: unknown): string | undefined {
  const shape = error as AwsErrorShape | undefined;
  return shape?.Code ?? shape?.name;
}

/** True for errors that say the thing asked about is not there (already deleted, never made). */
export function isNotFound(error: unknown): boolean {
  const code = awsErrorCode(error) ?? '';
  return /NotFound|\.Malformed$|InvalidGroup\.NotFound|InvalidKeyPair\.NotFound|ResourceNotFoundException/.test(code);
}

/**
 * One clear AtomlabError for a failed AWS call: what was being done, the AWS code and request id,
 * and what to do. Messages come from AWS and the SDK, which never echo secret keys.
 */
export function ec2Error(operation: string, error: unknown, context: Record<string, unknown> = {}): AtomlabError {
  if (error instanceof AtomlabError) return error;
  const shape = (error ?? {}) as AwsErrorShape;
  const code = awsErrorCode(error) ?? 'Unknown';
  const full = { provider: 'ec2', operation, awsCode: code, requestId: shape.$metadata?.requestId, attempts: shape.$metadata?.attempts, ...context };
  const detail = `${operation}: ${code}: ${shape.message ?? String(error)}`;
  if (CREDENTIALS.has(code)) {
    return new AtomlabError(`AWS refused the credentials (${detail})`, { code: 'FAILED', context: full, cause: error, hint: 'renew them (aws sso login, new session keys) or pick another profile: the SDK reads AWS_* variables, ~/.aws/credentials and ~/.aws/config' });
  }
  if (QUOTA.has(code)) {
    return new AtomlabError(`AWS quota reached (${detail})`, { code: 'FAILED', context: full, cause: error, hint: 'free some of it (atomlab down on other labs, aws ec2 describe-instances), pick a smaller instance type, or ask AWS to raise the quota (Service Quotas console)' });
  }
  if (THROTTLED.has(code)) {
    return new AtomlabError(`AWS kept throttling the requests after ${shape.$metadata?.attempts ?? 'several'} attempts (${detail})`, { code: 'FAILED', context: full, cause: error, hint: 'wait a minute and run the command again; fewer VMs at once (--parallel) send fewer requests' });
  }
  return new AtomlabError(`AWS call failed (${detail})`, { code: 'FAILED', context: full, cause: error });
}
