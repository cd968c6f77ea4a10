export { startDashboard } from './dashboard-server.js';
export type { Dashboard, DashboardOptions } from './dashboard-server.js';
export { newToken, tokenMatches } from './token.js';
export type { ActionStatus, ActionKind } from './action-runner.js';
export type { WatchedLab } from './lab-watcher.js';
