import { identityOf } from '@/lib/access';
import { health, methodNotAllowed, respond } from '@/lib/api';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return respond(request, () => Response.json(health(identityOf(request.headers)), { headers: { 'Cache-Control': 'no-store' } }));
}

export const POST = methodNotAllowed(['GET']);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
