import { didYouMean } from '../yaml/index.js';

/**
 * Scenario templates: `{{ NAME }}` or, for numbers, `{{ NAME:0W }}` (zero-padded to W digits).
 * NAME is an identifier, dotted for namespaces (`serve.updates`). Only that form is a template:
 * `{{.State.Running}}` (docker, Go) and `{{ json .Config }}` are left as they are, and `\{{`
 * writes a literal `{{`.
 */
const REFERENCE = /\\\{\{|\{\{\s*([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*)(?::(0\d{1,2}))?\s*\}\}/g;

/** A variable known now, or known but filled in later (left in place, e.g. a served URL). */
class Deferred {}
export const DEFERRED = new Deferred();
export type TemplateValue = string | number | Deferred;
export type TemplateVars = Readonly<Record<string, TemplateValue>>;

/** A template problem inside a value: where (path below the value) and what. */
export interface TemplateProblem {
  path: (string | number)[];
  message: string;
}

function format(name: string, value: string | number, pad: string | undefined): string {
  if (pad === undefined) return String(value);
  if (typeof value !== 'number') throw new TemplateSyntaxError(`{{${name}:${pad}}} pads numbers, but ${name} is text`);
  return String(value).padStart(Number(pad.slice(1)), '0');
}

class TemplateSyntaxError extends Error {}

/** Fills `{{ NAME }}` references in one string; throws with a did-you-mean on an unknown name. */
export function renderTemplate(text: string, vars: TemplateVars): string {
  return text.replace(REFERENCE, (whole, name: string | undefined, pad: string | undefined) => {
    if (name === undefined) return '{{';
    if (!Object.hasOwn(vars, name)) {
      const known = Object.keys(vars);
      throw new TemplateSyntaxError(`unknown template variable {{${name}}}${didYouMean(name, known)} (known: ${known.join(', ') || 'none'}; write \\{{ for a literal {{)`);
    }
    const value = vars[name]!;
    return value instanceof Deferred ? whole : format(name, value, pad);
  });
}

/** The template names a string refers to. */
export function templateNames(text: string): string[] {
  return [...text.matchAll(REFERENCE)].flatMap((match) => (match[1] === undefined ? [] : [match[1]]));
}

/**
 * Renders every string inside a plain value (objects, arrays, strings; keys too), returning a
 * new value. Problems are collected with their path, so the caller can point at the YAML.
 */
export function renderTemplates<T>(value: T, vars: TemplateVars, problems: TemplateProblem[], path: (string | number)[] = []): T {
  if (typeof value === 'string') {
    try {
      return renderTemplate(value, vars) as T;
    } catch (error) {
      if (!(error instanceof TemplateSyntaxError)) throw error;
      problems.push({ path, message: error.message });
      return value;
    }
  }
  if (Array.isArray(value)) return value.map((item, i) => renderTemplates(item, vars, problems, [...path, i])) as T;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, item]) => [renderTemplates(key, vars, problems, path), renderTemplates(item, vars, problems, [...path, key])]);
    return Object.fromEntries(entries) as T;
  }
  return value;
}

function mapStrings<T>(value: T, map: (text: string) => string): T {
  if (typeof value === 'string') return map(value) as T;
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map)) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [map(key), mapStrings(item, map)])) as T;
  return value;
}

/**
 * The second stage, for names deferred at plan time (served URLs): fills only these names and
 * leaves every other brace pair as it is (the first stage already turned `\{{` into `{{`).
 */
export function fillDeferred<T>(value: T, vars: Readonly<Record<string, string>>): T {
  return mapStrings(value, (text) => text.replace(REFERENCE, (whole, name: string | undefined) => (name !== undefined && Object.hasOwn(vars, name) ? vars[name]! : whole)));
}
