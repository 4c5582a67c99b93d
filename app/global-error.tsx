'use client';

import { RenderError } from '@/components/pages/render-error';

// When the root layout itself fails. Pulseboard's own, plain: Next's default one ships styles and
// icons in every page's first-load JS.
export default function GlobalError(props: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body>
        <RenderError {...props} />
      </body>
    </html>
  );
}
