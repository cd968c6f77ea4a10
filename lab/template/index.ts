export { renderTemplate, renderTemplates, templateNames, DEFERRED } from './render-template.js';
export type { TemplateValue, TemplateVars, TemplateProblem } from './render-template.js';
