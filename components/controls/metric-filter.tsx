import type { QueryProblem } from '@/lib/series';
import { FilterProblem } from './filter-problem';

interface MetricFilterProps {
  value: string;
  onChange: (value: string) => void;
  /** Why `value` is not applied (over QUERY_MAX_LENGTH or QUERY_MAX_TERMS), shown beside it. */
  problem: QueryProblem | null;
  /** The input got focus: a filter is about to be typed. */
  onFocus?: () => void;
}

/** Filters the charts by metric name or `label=value`; the filter is part of the page's URL. */
export function MetricFilter({ value, onChange, problem, onFocus }: MetricFilterProps) {
  return (
    <>
      <input
        type="search"
        className="filter"
        aria-label="Filter metrics by name or label"
        placeholder="Filter: name or label=value"
        value={value}
        // No maxLength: the browser would cut a pasted filter short without a word.
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? 'filter-problem' : undefined}
        onChange={(e) => onChange(e.target.value)}
        onFocus={onFocus}
      />
      {problem && <FilterProblem id="filter-problem" problem={problem} />}
    </>
  );
}
