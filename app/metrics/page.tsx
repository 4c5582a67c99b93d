import { headers } from 'next/headers';
import { dataView } from '@/lib/access';
import Link from 'next/link';
import { connection } from 'next/server';
import { EmptyState } from '@/components/pages/empty-state';
import { FilterProblem } from '@/components/controls/filter-problem';
import { MetricList } from '@/components/pages/metric-list';
import { MetricSearch } from '@/components/controls/metric-search';
import { Account } from '@/components/controls/account';
import { accountOf, metricBrowser, pageAdmitted } from '@/lib/api';

export const metadata = { title: 'Metrics · Pulseboard' };

export default async function MetricsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await connection();
  if (!(await pageAdmitted())) return null;
  const view = dataView(await headers());
  const { filter, metrics } = metricBrowser(view, await searchParams);
  return (
    <div className="dashboard browser">
      <header className="topbar">
        <div className="brand">
          <Link href="/" className="back">
            ← Dashboard
          </Link>
          <h1>Metrics</h1>
          <Account account={accountOf(view)} />
        </div>
        {/* A plain GET form: the search is in the URL and works without JavaScript; with it, as typed. */}
        <form className="controls" role="search" action="/metrics">
          <MetricSearch initial={filter.shown} invalid={filter.problem !== null} describedBy={filter.problem ? 'filter-problem' : undefined} />
          <button type="submit" className="control">
            Search
          </button>
          {filter.problem && <FilterProblem id="filter-problem" problem={filter.problem} />}
        </form>
      </header>
      <main>
        <p className="hint" data-testid="metric-count">
          {metrics.length} {metrics.length === 1 ? 'metric' : 'metrics'}
          {filter.applied ? ` matching “${filter.applied}”` : ''}
        </p>
        {metrics.length > 0 ? <MetricList metrics={metrics} /> : <EmptyState />}
      </main>
    </div>
  );
}
