import 'server-only';

export { getRuntime, type Runtime } from './runtime';
export { installShutdownHandlers } from './shutdown';
