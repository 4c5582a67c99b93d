export { Store, type StoreOptions, type SeriesSummary, type Announced } from './store';
export { Ring } from './ring';
export { downsample, downsampleRange } from './downsample';
