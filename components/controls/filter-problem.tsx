import type { QueryProblem } from '@/lib/series';

const LABELS: Record<QueryProblem['reason'], string> = { too_long: 'Filter too long', too_many: 'Too many terms', too_costly: 'Filter too costly' };

/** Says beside a filter input that its filter was not applied, and which limit it is over. */
export function FilterProblem({ id, problem }: { id: string; problem: QueryProblem }) {
  return (
    <p id={id} className="filter-problem" role="status" data-testid="filter-problem">
      {`${LABELS[problem.reason]}, not applied: ${problem.message}`}
    </p>
  );
}
