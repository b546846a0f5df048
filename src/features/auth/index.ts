// Public surface of the auth feature for the app and other features.
export { AuthProvider, useAuth, useUserId } from './components/auth-provider';
export { RequireAuth } from './components/require-auth';
export { useMe, isClaimer, type Me, type Organisation } from './api/get-me';
export { useSignOut } from './api/sign-out';
export { useActingAs } from './api/acting-as';
