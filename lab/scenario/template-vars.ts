import { DEFERRED, type TemplateVars } from '../template/index.js';

/** What a VM's templates may refer to. */
export interface VmTemplateInput {
  lab: string;
  /** 1…count for an entry with `count`; 1 otherwise. */
  n: number;
  /** The VM's rendered name (absent while the name itself is rendered). */
  name?: string;
}

/**
 * The one place a VM's template variables are built: `{{lab}}`, `{{n}}`, `{{name}}`, plus the
 * names filled in later (`{{serve.NAME}}`: served URLs, known at seed time), left in place now.
 */
export function vmTemplateVars(input: VmTemplateInput, deferred: readonly string[] = []): TemplateVars {
  const vars: Record<string, TemplateVars[string]> = { lab: input.lab, n: input.n };
  if (input.name !== undefined) vars.name = input.name;
  for (const name of deferred) vars[name] = DEFERRED;
  return vars;
}
