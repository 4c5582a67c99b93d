import type { NextRequest } from 'next/server';
import { metricCsv } from '@/lib/api';
import { handle } from '@/lib/http';

export const dynamic = 'force-dynamic';

export function GET(request: NextRequest): Promise<Response> {
  return handle(() => metricCsv(request.nextUrl.searchParams));
}
