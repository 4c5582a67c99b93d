import { connection } from 'next/server';
import { Dashboard } from '@/components/dashboard';
import { dashboardData } from '@/lib/api';

export default async function Page({ searchParams }: { searchParams: Promise<{ window?: string | string[] }> }) {
  await connection();
  const { window } = await searchParams;
  return <Dashboard data={dashboardData(window)} />;
}
