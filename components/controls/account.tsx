import type { Account as AccountInfo } from '@/lib/api';

/** Who is signed in, and a sign-out button (a form POST: works without JavaScript); behind a proxy, the name alone. */
export function Account({ account }: { account: AccountInfo | null }) {
  if (!account) return null;
  if (!account.signOut) {
    return (
      <span className="account" data-testid="account">
        {account.name}
      </span>
    );
  }
  return (
    <form method="post" action="/api/auth/logout" className="account" data-testid="account">
      <span>{account.name}</span>
      <button type="submit" className="control">
        Sign out
      </button>
    </form>
  );
}
