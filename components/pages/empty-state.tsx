'use client';

import type { ReactNode } from 'react';
import { useHydrated } from '../common/use-hydrated';

const BODY = JSON.stringify({ points: [{ name: 'my_first_metric', labels: { source: 'curl' }, value: 42 }] });

/** How to push a first metric: a curl command that works as shown, from this machine. */
export function EmptyState({ children }: { children?: ReactNode }) {
  // The server does not know the address the browser used; the default until hydrated.
  const origin = useHydrated() ? window.location.origin : 'http://localhost:3000';
  return (
    <div className="empty" data-testid="empty-state">
      {children}
      <p>Push a metric and it appears on the dashboard within a second:</p>
      <pre className="command">
        <code data-testid="curl">{`curl -X POST ${origin}/api/ingest \\\n  -H 'content-type: application/json' \\\n  -d '${BODY}'`}</code>
      </pre>
      <p className="hint">
        Without <code>INGEST_TOKEN</code>, ingest is accepted from this machine only; with it, add{' '}
        <code>-H &apos;authorization: Bearer &lt;token&gt;&apos;</code>. Prometheus text format works too.
      </p>
    </div>
  );
}
