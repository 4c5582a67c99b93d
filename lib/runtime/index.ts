import 'server-only';

export { getRuntime, type Runtime, type Counters } from './runtime';
export { installShutdownHandlers } from './shutdown';
export { stampPeerAddresses, PEER_HEADER } from './peer';
