export { Store, type StoreOptions, type SeriesSummary, type Snapshot } from './store';
export { Ring } from './ring';
export { downsample, downsampleRange, type Pair } from './downsample';
