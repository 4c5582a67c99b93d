export { Hub, jitter, type HubOptions, type HubStats } from './hub';
export { encodeEvent, encodeComment, encodeRetry, SseFramingError, type SseEvent } from './sse';
export { eventStreamResponse, SSE_HEADERS } from './response';
