import { alertRulesFile, methodNotAllowed, replaceAlertRules, respond } from '@/lib/api';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return respond(request, () => alertRulesFile(request));
}

export function PUT(request: Request): Promise<Response> {
  return respond(request, () => replaceAlertRules(request));
}

export const POST = methodNotAllowed(['GET', 'PUT']);
export const PATCH = POST;
export const DELETE = POST;
