/** What a page that failed to render says: the reference the server log has (or the message), and a retry. */
export function RenderError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="error-page">
      <h1>Pulseboard could not render this page</h1>
      <p>{error.digest ? `Reference ${error.digest}; the server log has the details.` : error.message}</p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </main>
  );
}
