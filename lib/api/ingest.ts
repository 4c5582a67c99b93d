import 'server-only';
import { HttpError, toErrorResponse } from '@/lib/http';
import { ingest, REJECTION_REASONS } from '@/lib/ingest';
import { getRuntime } from '@/lib/runtime';

/** `POST /api/ingest`: 202 `{"accepted":n,"skipped":m}`, or a JSON error; every outcome is counted. */
export async function ingestResponse(request: Request): Promise<Response> {
  const rt = getRuntime();
  rt.counters.ingestRequests++;
  try {
    const result = await ingest(request, rt);
    rt.counters.ingestPoints += result.accepted;
    return Response.json(result, { status: 202, headers: { 'Cache-Control': 'no-store' } });
  } catch (err) {
    const reason = err instanceof HttpError ? (REJECTION_REASONS[err.status] ?? 'other') : 'internal';
    rt.counters.ingestRejected[reason] = (rt.counters.ingestRejected[reason] ?? 0) + 1;
    return toErrorResponse(err);
  }
}
