import type { NextRequest } from 'next/server';
import { openStream } from '@/lib/api';
import { handle } from '@/lib/http';

export const dynamic = 'force-dynamic';

export function GET(request: NextRequest): Promise<Response> {
  return handle(() => openStream(request.nextUrl.searchParams, request.headers, request.signal));
}
