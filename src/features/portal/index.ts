// Public surface of the seeker portal: the seeker entry (src/seeker.tsx) shows it at /portal.
// Only what the first paint needs is imported statically; the signed-in portal loads lazily.
export { PortalPage } from './routes/portal';
