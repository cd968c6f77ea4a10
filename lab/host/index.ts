export { TOOLS, installHint } from './tools.js';
export type { ToolName, ToolSpec } from './tools.js';
export { which, requireTool, inspectTool } from './find-tool.js';
export type { ToolReport } from './find-tool.js';
