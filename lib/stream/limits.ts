/** Why a stream was refused: `per_client` and `filters` answer with an HTTP error, `catchups` with a retry hint. */
export const REFUSAL_REASONS = ['per_client', 'filters', 'catchups'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

const LIMIT = Symbol.for('pulseboard.streamLimit');

/** Thrown by `Hub.open` when a stream would pass the per-client cap or the distinct-filter cap. */
export class StreamLimitError extends Error {
  override readonly name = 'StreamLimitError';
  readonly [LIMIT] = true;

  constructor(
    readonly reason: 'per_client' | 'filters',
    /** The cap that was reached. */
    readonly limit: number,
    /** The client address, for `per_client`. */
    readonly client?: string,
  ) {
    super(reason === 'per_client' ? `${client ?? 'this client'} holds ${limit} streams already` : `${limit} distinct filters are open already`);
  }

  /**
   * The hub lives in the instrumentation hook's module graph and route handlers in another, each
   * with its own copy of this class: `instanceof` across them is false, the brand is not.
   */
  static is(err: unknown): err is StreamLimitError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[LIMIT] === true;
  }
}

/** Streams open per client address, so that one address cannot hold every stream. */
export class ClientCounts {
  private readonly counts = new Map<string, number>();

  constructor(readonly max = Infinity) {}

  /** Whether `client` may open one more (a stream with no address is not counted). */
  admits(client: string | undefined): boolean {
    return client === undefined || (this.counts.get(client) ?? 0) < this.max;
  }

  add(client: string | undefined): void {
    if (client !== undefined) this.counts.set(client, (this.counts.get(client) ?? 0) + 1);
  }

  delete(client: string | undefined): void {
    if (client === undefined) return;
    const n = (this.counts.get(client) ?? 0) - 1;
    if (n > 0) this.counts.set(client, n);
    else this.counts.delete(client);
  }
}
