import 'server-only';

export { startCollector, type Collector, type CollectorOptions, type SelfFigures } from './collector';
