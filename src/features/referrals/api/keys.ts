import type { ReferralStatus } from '../status';

export type ReferralSort = 'newest' | 'oldest' | 'recently_updated' | 'seeker';

/** Everything a referral list can be narrowed by; part of the query key. */
export type ReferralListFilters = {
  /** inbound: to my programs; mine: made by me or my shared team; seeker-*: one seeker's referrals. */
  scope: 'inbound' | 'mine' | 'seeker-navigation' | 'seeker-inbound';
  seekerId?: string;
  /** Program(s) the list is limited to (inbound: the picked program, or all of mine). */
  programIds?: string[];
  /** My sites and programs, for "made by my team". */
  mySiteIds?: string[];
  myProgramIds?: string[];
  userId?: string;
  statuses?: ReferralStatus[];
  /** needs_response: not answered by the program yet; assigned_to_me: assigned to userId. */
  show?: 'needs_response' | 'assigned_to_me';
  search?: string;
  sort?: ReferralSort;
  page?: number;
  pageSize?: number;
};

/**
 * Query keys of the referrals feature, most generic first, so one
 * invalidation (or one realtime event) reaches exactly what it should.
 */
export const referralKeys = {
  all: ['referrals'] as const,
  lists: () => [...referralKeys.all, 'list'] as const,
  list: (filters: ReferralListFilters) => [...referralKeys.lists(), filters] as const,
  counts: () => [...referralKeys.all, 'count'] as const,
  /** The worklist: what changed on my referrals since I looked, and its count. */
  changed: () => [...referralKeys.all, 'changed'] as const,
  changedList: () => [...referralKeys.changed(), 'list'] as const,
  changedCount: () => [...referralKeys.changed(), 'count'] as const,
  /** A seeker's referrals still in progress (Start a Referral's "Already referred"). */
  openForSeeker: (seekerId: string) => [...referralKeys.lists(), 'open-for-seeker', seekerId] as const,
  count: (filters: ReferralListFilters) => [...referralKeys.counts(), filters] as const,
  /** Past due and unanswered, in the same scope. */
  overdueCount: (filters: ReferralListFilters) => [...referralKeys.count(filters), 'overdue'] as const,
  /** Not answered by the program yet (Needs a response), in the same scope. */
  needsResponseCount: (filters: ReferralListFilters) => [...referralKeys.count(filters), 'needs-response'] as const,
  /** A program's claimers, to assign its referrals to. */
  claimers: (programId: string) => [...referralKeys.all, 'claimers', programId] as const,
  details: () => [...referralKeys.all, 'detail'] as const,
  detail: (id: string) => [...referralKeys.details(), id] as const,
  notes: (id: string) => [...referralKeys.detail(id), 'notes'] as const,
  events: (id: string) => [...referralKeys.detail(id), 'events'] as const,
  forwards: (id: string) => [...referralKeys.detail(id), 'forwards'] as const,
  /** The reasons list (public.status_reasons): the same for everyone, kept apart from the referrals. */
  reasons: () => ['status-reasons'] as const,
  programNote: (id: string) => [...referralKeys.detail(id), 'program-note'] as const,
  summary: (id: string) => [...referralKeys.detail(id), 'summary'] as const,
};
