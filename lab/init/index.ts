export { initLab } from './init-lab.js';
export type { InitOptions, InitResult } from './init-lab.js';
export type { InitAnswers } from './answers.js';
export { renderScenario } from './render-scenario.js';
export { listTemplates, findTemplate, renderTemplate } from './templates.js';
export type { TemplateInfo, TemplateAnswers } from './templates.js';
