import type { Metadata, Viewport } from 'next';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { THEME_BOOT_SCRIPT } from '@/components/controls/theme';
import { NONCE_HEADER, passedGate } from '@/lib/runtime';
import './globals.css';

export const metadata: Metadata = {
  title: 'Pulseboard',
  description: 'Live metrics of this host, the Pulseboard server, and everything you push to it.',
};

export const viewport: Viewport = {
  colorScheme: 'light dark',
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#f6f7f9' },
    { media: '(prefers-color-scheme: dark)', color: '#0d1117' },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const requestHeaders = await headers();
  // The Content-Security-Policy admits inline scripts only with this response's nonce.
  const nonce = requestHeaders.get(NONCE_HEADER) ?? undefined;
  return (
    // The boot script sets data-theme before hydration: React must not treat that as a mismatch.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: THEME_BOOT_SCRIPT }} />
      </head>
      <body>
        {/* Only in the first moments of start-up, before the request gate is installed. */}
        {passedGate(requestHeaders) ? children : <main className="error-page"><h1>Pulseboard is starting</h1><p>Reload in a moment.</p></main>}
      </body>
    </html>
  );
}
