import { z } from 'zod';

/**
 * HTTP headers Pulseboard sends for an operator (a scrape target's, a webhook channel's): token
 * names of at most 128 characters, printable ASCII values of at most 8 KiB — no line break, so
 * no header can be injected through one.
 */
export const httpHeadersSchema = z.record(
  z.string().regex(/^[\w!#$%&'*+.^`|~-]{1,128}$/, 'a header name (letters, digits and !#$%&\'*+.^_`|~-)'),
  z.string().max(8_192).regex(/^[\t\x20-\x7e]*$/, 'printable ASCII only (no line breaks or control characters)'),
);
