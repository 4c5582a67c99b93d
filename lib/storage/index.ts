export { Engine, StorageError, FORMAT, type EngineOptions, type StorageStatus, type Series, type Recovered } from './engine';
export type { Tier } from './block';
export { chooseTier, diskHistory, type TierRetention } from './query';
