'use client';

// When the root layout itself fails. Pulseboard's own, plain: Next's default one ships styles and
// icons in every page's first-load JS.
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body>
        <main className="error-page">
          <h1>Pulseboard could not render this page</h1>
          <p>{error.digest ? `Reference ${error.digest}; the server log has the details.` : error.message}</p>
          <button type="button" onClick={reset}>
            Try again
          </button>
        </main>
      </body>
    </html>
  );
}
