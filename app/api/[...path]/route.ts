import { noSuchEndpoint } from '@/lib/api';

export const dynamic = 'force-dynamic';

// Any other path under /api: a JSON 404 rather than the dashboard's HTML not-found page.
export const GET = noSuchEndpoint;
export const POST = noSuchEndpoint;
export const PUT = noSuchEndpoint;
export const PATCH = noSuchEndpoint;
export const DELETE = noSuchEndpoint;
