import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="error-page">
      <h1>Not found</h1>
      <p>
        There is nothing here. <Link href="/">Back to the dashboard</Link>
      </p>
    </main>
  );
}
