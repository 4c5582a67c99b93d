import { headers } from 'next/headers';
import { dataView } from '@/lib/access';
import { connection } from 'next/server';
import { Dashboard } from '@/components/pages/dashboard';
import { dashboardData, pageAdmitted } from '@/lib/api';

type SearchParams = Record<string, string | string[] | undefined>;

export default async function Page({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await connection();
  if (!(await pageAdmitted())) return null;
  return <Dashboard data={dashboardData(dataView(await headers()), await searchParams)} />;
}
