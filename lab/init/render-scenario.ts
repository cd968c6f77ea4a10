import { relative } from 'node:path';
import type { YAMLMap } from 'yaml';
import { Document } from 'yaml';
import { packagePath } from '../paths/index.js';
import type { InitAnswers } from './answers.js';

function vmNames(answers: InitAnswers): string[] {
  if (answers.count === 1) return [answers.name];
  const width = String(answers.count).length;
  return Array.from({ length: answers.count }, (_, i) => `${answers.name}-${String(i + 1).padStart(width, '0')}`);
}

/** The scenario the wizard writes, produced by the YAML library with the schema comment on top. */
export function renderScenario(answers: InitAnswers, dir: string): string {
  const login: Record<string, string> = { user: answers.user };
  if (answers.password) login.password = answers.password;
  const doc = new Document({
    name: answers.name,
    defaults: { provider: answers.provider, image: answers.image, memory: answers.memory, login },
    vms: vmNames(answers).map((name) => ({ name })),
  });
  const schema = relative(dir, packagePath('schema', 'scenario.schema.json')) || 'scenario.schema.json';
  doc.commentBefore = ` yaml-language-server: $schema=${schema}\n Written by atomlab init. Check it: atomlab validate; start it: atomlab up`;
  (doc.contents as YAMLMap).flow = false;
  return doc.toString({ lineWidth: 0 });
}
