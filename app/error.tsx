'use client';

import { RenderError } from '@/components/pages/render-error';

export default function Error(props: { error: Error & { digest?: string }; reset: () => void }) {
  return <RenderError {...props} />;
}
