/** A tiny XML element builder: every attribute and text is escaped, nothing is concatenated by hand. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string | number | undefined>;
  children: (XmlElement | string)[];
}

export function el(name: string, attributes: XmlElement['attributes'] = {}, ...children: (XmlElement | string | undefined | false)[]): XmlElement {
  return { name, attributes, children: children.filter((child): child is XmlElement | string => child !== undefined && child !== false) };
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function renderAttributes(attributes: XmlElement['attributes']): string {
  return Object.entries(attributes)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}='${escapeXml(String(value))}'`)
    .join('');
}

export function renderXml(element: XmlElement, indent = ''): string {
  const open = `${indent}<${element.name}${renderAttributes(element.attributes)}`;
  if (element.children.length === 0) return `${open}/>`;
  if (element.children.every((child) => typeof child === 'string')) {
    return `${open}>${element.children.map((child) => escapeXml(child as string)).join('')}</${element.name}>`;
  }
  const inner = element.children.map((child) => (typeof child === 'string' ? `${indent}  ${escapeXml(child)}` : renderXml(child, `${indent}  `)));
  return [`${open}>`, ...inner, `${indent}</${element.name}>`].join('\n');
}
