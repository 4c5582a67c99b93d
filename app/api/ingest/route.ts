import { ingestResponse } from '@/lib/api';

export const dynamic = 'force-dynamic';

export function POST(request: Request): Promise<Response> {
  return ingestResponse(request);
}
