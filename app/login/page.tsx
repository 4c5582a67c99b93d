import { headers } from 'next/headers';
import { connection } from 'next/server';
import { LoginForm } from '@/components/pages/login-form';
import { pageAdmitted, safeNext } from '@/lib/api';
import { getAccess, identityOf } from '@/lib/access';

export const metadata = { title: 'Sign in · Pulseboard' };

type SearchParams = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function LoginPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await connection();
  if (!(await pageAdmitted())) return null;
  const params = await searchParams;
  const identity = identityOf(await headers());
  const retry = Number(one(params.retry));
  return (
    <LoginForm
      mode={getAccess().env.AUTH}
      next={safeNext(one(params.next))}
      error={one(params.error) ?? null}
      retryMinutes={Number.isFinite(retry) && retry > 0 ? Math.ceil(retry / 60) : null}
      signedOut={one(params.signed_out) === '1'}
      signedInAs={identity.kind === 'user' ? identity.name : null}
    />
  );
}
