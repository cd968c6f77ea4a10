import type { GoogleHttp } from './google-http.js';

/** The bucket image tarballs pass through: `atomlab-<project>` unless the scenario names one. */
export function defaultBucket(project: string): string {
  return `atomlab-${project}`.slice(0, 63);
}

/** The region a zone is in (europe-west1-b → europe-west1): the bucket lives beside the images. */
export function zoneRegion(zone: string): string {
  return zone.replace(/-[a-z]$/, '');
}

/** The bucket, made when missing (JSON API buckets.insert, labelled atomlab=image). */
export async function ensureBucket(http: GoogleHttp, request: { project: string; bucket: string; location: string; signal?: AbortSignal }): Promise<void> {
  const url = `${http.storageBase}/storage/v1/b/${encodeURIComponent(request.bucket)}`;
  const found = await http.raw({ url, method: 'GET', signal: request.signal });
  if (found.ok) return void (await found.arrayBuffer());
  if (found.status !== 404) throw await http.failure('storage.buckets.get', found);
  await http.request({
    operation: 'storage.buckets.insert',
    url: `${http.storageBase}/storage/v1/b?project=${encodeURIComponent(request.project)}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: request.bucket, location: request.location, labels: { atomlab: 'image' }, iamConfiguration: { uniformBucketLevelAccess: { enabled: true } } }),
    signal: request.signal,
  });
}

/** Deletes an object; one already gone is fine. */
export async function deleteObject(http: GoogleHttp, bucket: string, object: string): Promise<void> {
  const response = await http.raw({ url: `${http.storageBase}/storage/v1/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(object)}`, method: 'DELETE' });
  if (response.ok || response.status === 404) return void (await response.arrayBuffer());
  throw await http.failure('storage.objects.delete', response);
}

/** The URL images.insert reads the tarball from (rawDisk.source: always the storage.googleapis.com form). */
export function objectSource(bucket: string, object: string): string {
  return `https://storage.googleapis.com/${bucket}/${object}`;
}

/** Names of the objects under a prefix (none when the bucket does not exist). */
export async function listObjects(http: GoogleHttp, bucket: string, prefix: string): Promise<string[]> {
  const names: string[] = [];
  let pageToken: string | undefined;
  do {
    const url = `${http.storageBase}/storage/v1/b/${encodeURIComponent(bucket)}/o?prefix=${encodeURIComponent(prefix)}&fields=items(name),nextPageToken${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ''}`;
    const response = await http.raw({ url, method: 'GET' });
    if (response.status === 404) {
      await response.arrayBuffer();
      return [];
    }
    if (!response.ok) throw await http.failure('storage.objects.list', response);
    const page = (await response.json()) as { items?: { name: string }[]; nextPageToken?: string };
    names.push(...(page.items ?? []).map((item) => item.name));
    pageToken = page.nextPageToken;
  } while (pageToken);
  return names;
}
