// Public surface of the seekers feature, used by Start a Referral.
export { seekerKeys } from './api/keys';
export { useSeeker, type Seeker } from './api/get-seeker';
export { CONTACT_LABELS } from './components/seeker-form';
