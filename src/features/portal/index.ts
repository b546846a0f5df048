// Public surface of the seeker portal: its route is loaded lazily by the router.
export { SEEKER_STATUSES } from './api/update-status';
