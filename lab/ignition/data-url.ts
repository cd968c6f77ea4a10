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

/**
 * The bytes of an RFC 2397 data URL (`data:[<media type>][;base64],<data>`), as Ignition reads a
 * file's `contents.source`; undefined for any other URL.
 */
export function dataUrlBytes(url: string): Buffer | undefined {
  const match = /^data:([^,]*),(.*)$/s.exec(url);
  if (!match) return undefined;
  const [, type, body] = match;
  if (/;base64$/i.test(type!)) return Buffer.from(body!, 'base64');
  return Buffer.from(decodeURIComponent(body!), 'utf8');
}
