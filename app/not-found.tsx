// A plain link: next/link here would be first-load JS of every page (the not-found boundary ships with the layout).
export default function NotFound() {
  return (
    <main className="error-page">
      <h1>Not found</h1>
      <p>
        {/* eslint-disable-next-line @next/next/no-html-link-for-pages -- a full load is fine here; next/link would ship in every page's first-load JS */}
        There is nothing here. <a href="/">Back to the dashboard</a>
      </p>
    </main>
  );
}
