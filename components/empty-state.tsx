import type { ReactNode } from 'react';

interface EmptyStateProps {
  /** Where this Pulseboard answers, for the command (the page's origin). */
  origin: string;
  children?: ReactNode;
}

/** How to push a first metric: a curl command that works as shown, from this machine. */
export function EmptyState({ origin, children }: EmptyStateProps) {
  const body = JSON.stringify({ points: [{ name: 'my_first_metric', labels: { source: 'curl' }, value: 42 }] });
  return (
    <div className="empty" data-testid="empty-state">
      {children}
      <p>Push a metric and it appears here within a second:</p>
      <pre className="command">
        <code data-testid="curl">{`curl -X POST ${origin}/api/ingest \\\n  -H 'content-type: application/json' \\\n  -d '${body}'`}</code>
      </pre>
      <p className="hint">
        Without <code>INGEST_TOKEN</code>, ingest is accepted from this machine only; with it, add{' '}
        <code>-H &apos;authorization: Bearer &lt;token&gt;&apos;</code>. Prometheus text format works too.
      </p>
    </div>
  );
}
