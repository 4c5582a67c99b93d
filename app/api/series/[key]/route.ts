import { dataView } from '@/lib/access';
import type { NextRequest } from 'next/server';
import { methodNotAllowed, respond, seriesHistory } from '@/lib/api';

export const dynamic = 'force-dynamic';

export async function GET(request: NextRequest, { params }: { params: Promise<{ key: string }> }): Promise<Response> {
  const { key } = await params; // already percent-decoded by Next
  return respond(request, () => seriesHistory(dataView(request.headers), key, request.nextUrl.searchParams));
}

export const POST = methodNotAllowed(['GET']);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
