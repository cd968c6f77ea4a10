/** The console log is followed like any growing file (lab/files). */
export { followFile as followConsole } from '../../lab/files/index.js';
