import type { NextRequest } from 'next/server';
import { methodNotAllowed, openStream, respond, streamHead } from '@/lib/api';

export const dynamic = 'force-dynamic';

export function GET(request: NextRequest): Promise<Response> {
  return respond(request, () => openStream(request.nextUrl.searchParams, request.headers, request.signal));
}

export function HEAD(request: NextRequest): Promise<Response> {
  return respond(request, streamHead);
}

export const POST = methodNotAllowed(['GET']);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
