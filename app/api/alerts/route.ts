import { dataView } from '@/lib/access';
import { alertsResponse, methodNotAllowed, respond } from '@/lib/api';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return respond(request, () => alertsResponse(dataView(request.headers)));
}

export const POST = methodNotAllowed(['GET']);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
