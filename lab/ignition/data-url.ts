/**
 * An RFC 2397 data URL for a file's contents, as Ignition's `contents.source` takes it: text
 * that is plain printable ASCII stays readable (percent-encoded), anything else is base64.
 */
export function dataUrl(content: string | Uint8Array): string {
  if (typeof content === 'string' && /^[\x20-\x7e\n\t]*$/.test(content)) {
    return `data:,${encodeURIComponent(content)}`;
  }
  return `data:;base64,${Buffer.from(content).toString('base64')}`;
}
