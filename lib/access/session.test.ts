import { describe, expect, it } from 'vitest';
import { RevokedSessions } from './revoked';
import { issueSession, SessionVerifier } from './session';

const secret = new Uint8Array(32).fill(7);

describe('SessionVerifier', () => {
  it('a first verification waits for the sign-outs of other instances, and a garbage cookie does not wait', async () => {
    const revoked = new RevokedSessions(null);
    let waited = 0;
    let arrive!: () => void;
    const loaded = new Promise<void>((resolve) => (arrive = resolve));
    const verifier = new SessionVerifier(revoked, () => (waited++, loaded));
    const { token, claims } = await issueSession(secret, 'alice', 'v1', 60_000);
    expect(await verifier.verify(secret, 'not-a-jwt')).toBeNull();
    expect(waited).toBe(0);
    const pending = verifier.verify(secret, token);
    // Signed out elsewhere, learnt while the verification waits.
    revoked.merge([{ sid: claims.sid, user: 'alice', issued: claims.issued, expires: claims.expires }]);
    arrive();
    expect(await pending).toBeNull();
    expect(waited).toBe(1);
    const other = await issueSession(secret, 'alice', 'v1', 60_000);
    expect(await verifier.verify(secret, other.token)).toMatchObject({ user: 'alice', sid: other.claims.sid, issued: other.claims.issued });
    // Known from then on without waiting; refused at once when signed out.
    expect(verifier.known(other.token)).toMatchObject({ sid: other.claims.sid });
    revoked.add({ sid: other.claims.sid, user: 'alice', issued: other.claims.issued, expires: other.claims.expires });
    expect(verifier.known(other.token)).toBeNull();
  });
});
