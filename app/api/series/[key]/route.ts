import type { NextRequest } from 'next/server';
import { seriesHistory } from '@/lib/api';
import { handle } from '@/lib/http';

export const dynamic = 'force-dynamic';

export async function GET(request: NextRequest, { params }: { params: Promise<{ key: string }> }): Promise<Response> {
  const { key } = await params; // already percent-decoded by Next
  return handle(() => seriesHistory(key, request.nextUrl.searchParams));
}
