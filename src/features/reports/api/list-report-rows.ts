import { supabase } from '@/lib/supabase';
import type { ReportScope } from './keys';

/** The API answers at most this many rows per request (supabase/config.toml max_rows). */
const PAGE = 1000;

export type ReportRow = Awaited<ReturnType<typeof fetchPage>>[number];

async function fetchPage(scope: ReportScope, offset: number) {
  const { data, error } = await supabase
    .rpc('report_referral_rows', {
      p_from: scope.from,
      p_to: scope.to,
      p_site_ids: scope.siteIds,
      p_program_ids: scope.programIds,
    })
    .range(offset, offset + PAGE - 1);
  if (error) throw error;
  return data;
}

/** Every referral a report counts, oldest first (for its CSV), fetched page by page. */
export async function listReportRows(scope: ReportScope): Promise<ReportRow[]> {
  const rows: ReportRow[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await fetchPage(scope, offset);
    rows.push(...page);
    if (page.length < PAGE) return rows;
  }
}
