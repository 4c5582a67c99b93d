export type { Bus, Batch, BusMessage, BusListener, Cursor } from './types';
export { MemoryBus } from './memory';
