export { renderTemplate, renderTemplates, templateNames, fillDeferred, DEFERRED } from './render-template.js';
export type { TemplateValue, TemplateVars, TemplateProblem } from './render-template.js';
