interface MetricFilterProps {
  value: string;
  onChange: (value: string) => void;
}

/** Filters the charts by metric name or `label=value`; the filter is part of the page's URL. */
export function MetricFilter({ value, onChange }: MetricFilterProps) {
  return (
    <input
      type="search"
      className="filter"
      aria-label="Filter metrics by name or label"
      placeholder="Filter: name or label=value"
      value={value}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}
