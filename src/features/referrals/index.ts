// Public surface of the referrals feature, used by the seeker screens.
export { referralKeys } from './api/keys';
export { applyReferralChange } from './api/cache';
export { useReferralList } from './api/list-referrals';
export { ReferralDrawer } from './components/referral-drawer';
export { ReferralTable } from './components/referral-table';
export { useReferralParam } from './components/use-referral-param';
export { StatusBadge } from './components/status-badge';
export { COMMENT_MAX } from './limits';
export { useStatusReasons, reasonsFor, reasonLabel, type StatusReason } from './api/get-status-reasons';
export { UNDO_MS } from './components/status-changer';
export { statusesOfGroup, statusLabel } from './status';
export { ilikeTerm } from './api/list-referrals';
export { COUNT_CAP, useNavCounts } from './api/worklist';
