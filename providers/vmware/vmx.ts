/**
 * The .vmx file format: `key = "value"` lines. Values are quoted; a `"`, a `|`, a `#` and
 * control characters are written as `|XX` (two hex digits), the escape VMware itself uses.
 * Keys are case-insensitive to VMware; readers here lower-case them (as Vagrant's read_vmx_data).
 */

export type VmxEntries = [key: string, value: string][];

const VMX_KEY = /^[A-Za-z0-9_.:-]+$/;

export function escapeVmxValue(value: string): string {
  const hex = (ch: string) => `|${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
  return [...value].map((ch) => (ch === '|' || ch === '"' || ch === '#' || ch.charCodeAt(0) < 0x20 ? hex(ch) : ch)).join('');
}

export function unescapeVmxValue(value: string): string {
  return value.replace(/\|([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** Writes entries in order; a key twice, or a key VMware could not read, is a bug here. */
export function renderVmx(entries: VmxEntries): string {
  const seen = new Set<string>();
  const lines = ['.encoding = "UTF-8"'];
  for (const [key, value] of entries) {
    const lower = key.toLowerCase();
    if (!VMX_KEY.test(key) || seen.has(lower) || lower === '.encoding') throw new Error(`vmx key ${JSON.stringify(key)} is invalid or repeated`);
    seen.add(lower);
    lines.push(`${key} = "${escapeVmxValue(value)}"`);
  }
  return `${lines.join('\n')}\n`;
}

/** Reads a .vmx into a map of lower-cased keys (comments and blank lines skipped). */
export function parseVmx(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([^#=\s][^=]*?)\s*=\s*"(.*)"\s*$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) entries.set(match[1].toLowerCase(), unescapeVmxValue(match[2]));
  }
  return entries;
}

/** Replaces or adds entries in a .vmx text read back (a clone's), keeping everything else. */
export function mergeVmx(text: string, changes: VmxEntries, remove: (key: string) => boolean = () => false): string {
  const existing = parseVmx(text);
  const changed = new Map(changes.map(([key, value]) => [key.toLowerCase(), value]));
  const kept: VmxEntries = [...existing].filter(([key]) => key !== '.encoding' && !changed.has(key) && !remove(key));
  return renderVmx([...kept, ...changes]);
}
