// Public surface of the one-click page: the seeker entry (src/seeker.tsx) shows it at /r/<token>.
export { OneClickPage } from './routes/one-click';
