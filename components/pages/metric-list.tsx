import Link from 'next/link';
import type { MetricSummary } from '@/lib/api';
import { formatValue, rateUnit } from '@/lib/units';

/** The metric browser's list: each metric, its series count, label names and a latest value. */
export function MetricList({ metrics }: { metrics: readonly MetricSummary[] }) {
  return (
    <ul className="metric-list">
      {metrics.map((m) => {
        const labels = [...new Set(m.series.flatMap((s) => Object.keys(s.labels)))].sort();
        const latest = m.series[0];
        return (
          <li key={m.name} data-metric={m.name}>
            <Link href={`/metrics/${encodeURIComponent(m.name)}`} className="metric-name">
              {m.name}
            </Link>
            <span className="metric-facts">
              {m.type} · {m.series.length} series{labels.length > 0 ? ` · labels: ${labels.join(', ')}` : ''}
              {m.type === 'counter'
                ? m.rate !== undefined
                  ? ` · e.g. ${formatValue(m.rate, rateUnit(m.unit))}`
                  : ''
                : latest
                  ? ` · e.g. ${formatValue(latest.v, m.unit)}`
                  : ''}
            </span>
            {m.help && <span className="metric-help">{m.help}</span>}
          </li>
        );
      })}
    </ul>
  );
}
