// Client-safe and small: how a dashboard URL names its query panels. The query's parsing and
// evaluation load with the first such panel (lib/dashboard/query-panel.ts).

/** Query panels a dashboard shows at most (more `query=` parameters are ignored, and said so). */
export const QUERY_PANELS_MAX = 8;

/**
 * Series one query panel may read at most: its lines are computed in the browser on every update,
 * over what it reads (10,000 series took a second each time). The server refuses one matching
 * more, and says so.
 */
export const QUERY_PANEL_MAX_SERIES = 1_000;

/** A panel defined by a query in the URL (`?query=sum by (status) (http_requests_total)`). */
export interface QueryPanelRef {
  /** `query:<hash of the text>`: the same query keeps its options and hidden lines wherever it is listed. */
  id: string;
  text: string;
  /** Why the query is not drawn (cannot be read, over QUERY_MAX_LENGTH, QUERY_MAX_TERMS or QUERY_MAX_WORK), or null. */
  problem: string | null;
}

/** A panel id for a query: FNV-1a over its UTF-16 code units, base 36 (ids go into HTML ids and URL keys). */
export function queryPanelId(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `query:${h.toString(36)}`;
}
