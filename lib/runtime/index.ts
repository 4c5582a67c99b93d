import 'server-only';

export { getRuntime, type Runtime, type Counters } from './runtime';
export { installShutdownHandlers } from './shutdown';
export { installRequestGate, admittedHeaders, checkRequest, contentSecurityPolicy, gateStats, peerOf, passedGate, PEER_HEADER, NONCE_HEADER, type GatePolicy, type Refusal } from './gate';
export { serveDirectly, type DirectHandler } from './direct';
