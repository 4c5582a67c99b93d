import { headers } from 'next/headers';
import { dataView } from '@/lib/access';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { MetricDetailView } from '@/components/pages/metric-detail';
import { metricDetail, pageAdmitted } from '@/lib/api';

type SearchParams = Record<string, string | string[] | undefined>;

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }) {
  return { title: `${(await params).name} · Pulseboard` };
}

export default async function MetricPage({ params, searchParams }: { params: Promise<{ name: string }>; searchParams: Promise<SearchParams> }) {
  await connection();
  if (!(await pageAdmitted())) return null;
  const detail = metricDetail(dataView(await headers()), (await params).name, await searchParams);
  if (!detail) notFound();
  return <MetricDetailView detail={detail} />;
}
