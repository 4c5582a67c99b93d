export { BusUnavailableError, type Bus, type Batch, type BusMessage, type BusListener, type BusState, type BusStatus, type Cursor } from './types';
export { MemoryBus } from './memory';
export { compareIds } from './redis-id';
