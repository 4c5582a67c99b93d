export { Hub, jitter, type HubOptions, type HubStats } from './hub';
export { REFUSAL_REASONS, StreamLimitError, type RefusalReason } from './limits';
export { encodeEvent, encodeComment, encodeRetry, SseFramingError, type SseEvent } from './sse';
export { eventStreamResponse, SSE_HEADERS } from './response';
