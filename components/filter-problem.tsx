import type { QueryProblem } from '@/lib/series';

/** Says beside a filter input that its filter was not applied, and which limit it is over. */
export function FilterProblem({ id, problem }: { id: string; problem: QueryProblem }) {
  return (
    <p id={id} className="filter-problem" role="status" data-testid="filter-problem">
      {`${problem.reason === 'too_long' ? 'Filter too long' : 'Too many terms'}, not applied: ${problem.message}`}
    </p>
  );
}
