import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { accessError } from '@/lib/errors';
import { Constants } from '@/lib/database.types';
import { supabase, type Enums } from '@/lib/supabase';
import { directoryKeys } from './keys';

export type ReportReason = Enums<'program_report_reason'>;
export type ReportStatus = Enums<'program_report_status'>;

export const REASON_LABELS: Record<ReportReason, string> = {
  closed: 'The program has closed',
  phone: 'The phone number is wrong',
  address: 'The address is wrong',
  hours: 'The hours are wrong',
  eligibility: 'Who it serves (eligibility) is wrong',
  other: 'Something else',
};

export const REPORT_DETAILS_MAX = 2000;

/** The database's rules for a report (program_reports checks), in words. */
export const ReportSchema = z
  .object({
    reason: z.enum(Constants.public.Enums.program_report_reason, { error: 'Choose what is wrong' }),
    details: z.string().trim().max(REPORT_DETAILS_MAX, `Keep it under ${REPORT_DETAILS_MAX} characters`),
  })
  .refine((v) => v.reason !== 'other' || v.details.length > 0, {
    path: ['details'],
    message: 'Say what is wrong',
  });
export type ReportValues = z.infer<typeof ReportSchema>;

const REPORT_COLUMNS =
  'id, program_id, reason, details, status, resolution_note, reporter_name, reporter_organization, created_at, resolved_at, programs(name)';

async function listReports(scope: 'mine' | 'inbound', userId: string) {
  let q = supabase.from('program_reports').select(REPORT_COLUMNS);
  // the policy shows me my own reports and those on my programs; each list is one of the two
  q = scope === 'mine' ? q.eq('reported_by', userId) : q.neq('reported_by', userId);
  const { data, error } = await q.order('status').order('created_at', { ascending: false }).limit(200);
  if (error) throw accessError('report', error);
  return data;
}
export type ProgramReport = Awaited<ReturnType<typeof listReports>>[number];

export const reportsQueryOptions = (scope: 'mine' | 'inbound', userId: string) =>
  queryOptions({ queryKey: directoryKeys.reportList(scope), queryFn: () => listReports(scope, userId) });

export function useReports(scope: 'mine' | 'inbound', userId: string | undefined) {
  return useQuery({ ...reportsQueryOptions(scope, userId ?? ''), enabled: !!userId });
}

export async function createReport(input: { programId: string } & ReportValues) {
  const { error } = await supabase
    .from('program_reports')
    .insert({ program_id: input.programId, reason: input.reason, details: input.details });
  if (error?.code === '23505') {
    throw new Error('You have already reported this problem with this program, and your report is still open.');
  }
  if (error) throw accessError('report', error);
}

export async function resolveReport(input: { id: string; status: Exclude<ReportStatus, 'open'>; note: string }) {
  const { data, error } = await supabase
    .from('program_reports')
    .update({ status: input.status, resolution_note: input.note.trim() })
    .eq('id', input.id)
    .select('id');
  if (error) throw accessError('report', error);
  if (data.length === 0) throw new Error('Only the claimers of the program can resolve this report.');
}

export function useCreateReport() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: createReport,
    onSettled: () => qc.invalidateQueries({ queryKey: directoryKeys.reports() }),
  });
}

export function useResolveReport() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: resolveReport,
    onSettled: () => qc.invalidateQueries({ queryKey: directoryKeys.reports() }),
  });
}
