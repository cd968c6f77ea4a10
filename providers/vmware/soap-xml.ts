import { XMLBuilder, XMLParser } from 'fast-xml-parser';

/**
 * SOAP 1.1 envelopes for the vSphere Web Services API, built and read with fast-xml-parser.
 * Requests are plain JS values (element order = key order, as the vim25 schema's sequences
 * need); responses come back as a uniform tree where every child is a list, so no schema
 * knowledge is needed to tell one element from a repeated one.
 */

/** A parsed element: children by local name (always lists), attributes as `@_name`, text `#text`. */
export interface XNode {
  [key: string]: XNode[] | string | undefined;
}

/** A value to serialize: text, a nested element, or a list (repeated elements). */
export type XValue = string | number | boolean | XElement | XValue[];
export interface XElement {
  [key: string]: XValue | undefined;
}

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: true });

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (_name: string, _path: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute,
});

/** An element carrying `xsi:type`, for the schema's polymorphic slots. */
export function typed(type: string, fields: XElement = {}): XElement {
  return { '@_xsi:type': type, ...fields };
}

/** A ManagedObjectReference element. */
export function moRef(ref: { type: string; value: string }): XElement {
  return { '@_type': ref.type, '#text': ref.value };
}

export function envelope(method: string, body: XElement): string {
  const doc = {
    'soapenv:Envelope': {
      '@_xmlns:soapenv': 'http://schemas.xmlsoap.org/soap/envelope/',
      '@_xmlns:xsd': 'http://www.w3.org/2001/XMLSchema',
      '@_xmlns:xsi': XSI,
      'soapenv:Body': { [method]: { '@_xmlns': 'urn:vim25', ...body } },
    },
  };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(doc) as string}`;
}

/** Serializes a fragment (an OVF descriptor, …) with its own root element. */
export function xmlDocument(root: string, content: XElement): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: content }) as string}`;
}

/** Strips namespace prefixes from element names; any prefixed `type` attribute becomes `@_xsi:type`. */
function normalize(node: XNode): XNode {
  const out: XNode = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@_')) {
      const attr = key.slice(2);
      out[attr.includes(':') && attr.endsWith(':type') ? '@_xsi:type' : key] = value;
    } else if (Array.isArray(value)) {
      out[key.includes(':') ? key.slice(key.indexOf(':') + 1) : key] = value.map((item) => (typeof item === 'object' ? normalize(item) : ({ '#text': String(item) } as XNode)));
    } else {
      out[key] = value;
    }
  }
  return out;
}

export function parseXml(text: string): XNode {
  return normalize(parser.parse(text) as XNode);
}

/** The first child element of that name. */
export function child(node: XNode | undefined, name: string): XNode | undefined {
  const value = node?.[name];
  return Array.isArray(value) ? value[0] : undefined;
}

export function children(node: XNode | undefined, name: string): XNode[] {
  const value = node?.[name];
  return Array.isArray(value) ? value : [];
}

/** The text of a leaf element (empty when absent). */
export function text(node: XNode | undefined): string {
  const value = node?.['#text'];
  return typeof value === 'string' ? value : '';
}

/** A path of child names, first match at each level. */
export function at(node: XNode | undefined, ...path: string[]): XNode | undefined {
  return path.reduce<XNode | undefined>((current, name) => child(current, name), node);
}

export function attr(node: XNode | undefined, name: string): string | undefined {
  const value = node?.[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}

/** A ManagedObjectReference read back from a response element. */
export function readRef(node: XNode | undefined): { type: string; value: string } | undefined {
  const type = attr(node, 'type');
  return type && node ? { type, value: text(node) } : undefined;
}
