// Client-safe: the wire vocabulary, written once. The hub (lib/stream) encodes these payloads and
// the browser (components/live/stream-source.ts, live-store.ts) decodes them; no server import here.
export { ALERTS_NAME, PIECE_OVERHEAD, alertData, decodeEvent, encodeData, isAlertKey, pointsData, seriesData, type AlertPayload, type BusNotice, type SeriesPayload } from './events';
export { BatchAssembler, type WholeBatch } from './batch';
export { compareCursors } from './cursor';
export { seriesMeta, type Pair, type Snapshot } from './snapshot';
