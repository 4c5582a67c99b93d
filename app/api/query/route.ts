import { dataView } from '@/lib/access';
import type { NextRequest } from 'next/server';
import { methodNotAllowed, queryLines, respond } from '@/lib/api';

export const dynamic = 'force-dynamic';

export function GET(request: NextRequest): Promise<Response> {
  return respond(request, () => queryLines(dataView(request.headers), request.nextUrl.searchParams));
}

export const POST = methodNotAllowed(['GET']);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
