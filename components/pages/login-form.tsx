import Link from 'next/link';

/** What the sign-in page says after a failed try: one message whatever was wrong (user or password). */
const ERRORS: Record<string, string> = {
  invalid: 'Wrong user name or password.',
  busy: 'Too many sign-ins at once: try again in a moment.',
};

interface LoginFormProps {
  mode: 'none' | 'password' | 'proxy';
  next: string;
  error: string | null;
  retryMinutes: number | null;
  signedOut: boolean;
  signedInAs: string | null;
}

/**
 * The sign-in page: a plain form posting to /api/auth/login, so it works without JavaScript.
 * Under AUTH=none or AUTH=proxy there is nothing to sign in to here, and it says so.
 */
export function LoginForm({ mode, next, error, retryMinutes, signedOut, signedInAs }: LoginFormProps) {
  if (mode !== 'password') {
    return (
      <main className="login">
        <h1>Pulseboard</h1>
        <p>{mode === 'none' ? 'Sign-in is off (AUTH=none): anyone who can reach this server reads it.' : 'Sign-in is handled by the proxy in front of Pulseboard (AUTH=proxy).'}</p>
        <p>
          <Link href="/">Open the dashboard</Link>
        </p>
      </main>
    );
  }
  const message = error === 'locked' ? `Too many failed sign-ins: try again in ${retryMinutes ?? 15} minute${retryMinutes === 1 ? '' : 's'}.` : error ? (ERRORS[error] ?? ERRORS.invalid) : null;
  return (
    <main className="login">
      <h1>Sign in to Pulseboard</h1>
      {signedOut && !message && (
        <p role="status" data-testid="login-status">
          You are signed out.
        </p>
      )}
      {signedInAs && (
        <p role="status" data-testid="login-status">
          Signed in as {signedInAs}. <Link href={next}>Go on</Link>
        </p>
      )}
      {message && (
        <p role="alert" className="login-error" data-testid="login-error">
          {message}
        </p>
      )}
      <form method="post" action="/api/auth/login" className="login-form">
        <input type="hidden" name="next" value={next} />
        <label>
          User name
          <input name="user" autoComplete="username" required maxLength={64} autoFocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required maxLength={1024} />
        </label>
        <button type="submit" className="control">
          Sign in
        </button>
      </form>
    </main>
  );
}
