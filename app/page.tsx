import { connection } from 'next/server';
import { Dashboard } from '@/components/dashboard';
import { dashboardData } from '@/lib/api';

type SearchParams = Record<string, string | string[] | undefined>;

export default async function Page({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await connection();
  return <Dashboard data={dashboardData(await searchParams)} />;
}
