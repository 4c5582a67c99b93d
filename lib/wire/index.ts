// Client-safe: the wire vocabulary, written once. The hub (lib/stream) encodes these payloads and
// the browser (components/live/stream-source.ts, live-store.ts) decodes them; no server import here.
export { PIECE_OVERHEAD, decodeEvent, encodeData, pointsData, seriesData, type BusNotice, type SeriesPayload } from './events';
export { BatchAssembler, type WholeBatch } from './batch';
export { compareCursors } from './cursor';
export { seriesMeta, type Pair, type Snapshot } from './snapshot';
