import { dataView } from '@/lib/access';
import { methodNotAllowed, metricsText, respond } from '@/lib/api';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return respond(
    request,
    () => new Response(metricsText(dataView(request.headers)), { headers: { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' } }),
  );
}

export const POST = methodNotAllowed(['GET']);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
