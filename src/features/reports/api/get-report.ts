import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { supabase } from '@/lib/supabase';
import { reportKeys, type ReportScope } from './keys';

const count = z.number().int().nonnegative();
const seconds = z.number().nonnegative().nullable();

/** The shape referral_report answers (supabase/schemas/87_reports.sql), checked on arrival. */
export const reportSchema = z.object({
  figures: z.object({
    referrals: count,
    received: count,
    made: count,
    with_outcome: count,
    got_help: count,
    responded: count,
    response_median_seconds: seconds,
    response_p90_seconds: seconds,
    outcome_median_seconds: seconds,
    outcome_p90_seconds: seconds,
    /** not answered by the program and past the response due time, now */
    overdue_now: count,
  }),
  weekly: z.array(z.object({ week_start: z.string(), new: count, closed: count })),
  funnel: z.array(z.object({ stage: z.enum(['referred', 'responded', 'outcome', 'got_help']), count })),
  outcomes: z.array(z.object({ status: z.string(), count })),
  /** the five most frequent negative outcomes: status and reason code (null: none recorded, older data) */
  negative_reasons: z.array(z.object({ status: z.string(), reason: z.string().nullable(), count })),
  response_times: z.array(z.object({ bucket: z.string(), count })),
});

export type Report = z.infer<typeof reportSchema>;

export async function getReport(scope: ReportScope): Promise<Report> {
  const { data, error } = await supabase.rpc('referral_report', {
    p_from: scope.from,
    p_to: scope.to,
    p_site_ids: scope.siteIds,
    p_program_ids: scope.programIds,
    p_time_zone: scope.timeZone,
  });
  if (error) throw error;
  return reportSchema.parse(data);
}

export const reportQueryOptions = (scope: ReportScope) =>
  queryOptions({ queryKey: reportKeys.report(scope), queryFn: () => getReport(scope) });

/** The report of one scope; the previous one stays on screen while the next loads. */
export function useReport(scope: ReportScope, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({ ...reportQueryOptions(scope), placeholderData: keepPreviousData, enabled });
}
