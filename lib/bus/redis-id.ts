/** True for a Redis Stream entry id, `<ms>-<seq>`. */
export function isStreamId(id: string): boolean {
  // linear: anchored, bounded repetitions.
  return /^\d{1,16}-\d{1,20}$/.test(id);
}

/** Orders two Redis Stream entry ids numerically (ms, then sequence). */
export function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am - bm || as - bs;
}
