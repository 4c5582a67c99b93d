import Link from 'next/link';
import { connection } from 'next/server';
import { EmptyState } from '@/components/empty-state';
import { MetricList } from '@/components/metric-list';
import { metricSummaries } from '@/lib/api';

export const metadata = { title: 'Metrics · Pulseboard' };

export default async function MetricsPage({ searchParams }: { searchParams: Promise<{ q?: string | string[] }> }) {
  await connection();
  const { q } = await searchParams;
  const filter = (Array.isArray(q) ? q[0] : q) ?? '';
  const metrics = metricSummaries(filter);
  return (
    <div className="dashboard browser">
      <header className="topbar">
        <div className="brand">
          <Link href="/" className="back">
            ← Dashboard
          </Link>
          <h1>Metrics</h1>
        </div>
        {/* A plain GET form: the search is in the URL and works without JavaScript. */}
        <form className="controls" role="search" action="/metrics">
          <input type="search" name="q" className="filter" defaultValue={filter} aria-label="Search metrics by name or label" placeholder="name or label=value" />
          <button type="submit" className="control">
            Search
          </button>
        </form>
      </header>
      <main>
        <p className="hint" data-testid="metric-count">
          {metrics.length} {metrics.length === 1 ? 'metric' : 'metrics'}
          {filter ? ` matching “${filter}”` : ''}
        </p>
        {metrics.length > 0 ? <MetricList metrics={metrics} /> : <EmptyState />}
      </main>
    </div>
  );
}
