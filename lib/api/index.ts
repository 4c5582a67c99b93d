import 'server-only';

export { openStream, streamQuerySchema, type StreamQuery } from './stream';
export { health } from './health';
export { dashboardData, type DashboardData } from './dashboard';
