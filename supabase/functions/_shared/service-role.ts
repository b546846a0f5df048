// Whether a request to an edge function comes from the service role (the
// local notifier, pg_cron on hosted, an admin script). The runtime has
// already verified the JWT's signature (verify_jwt); this checks who it is.
export function isServiceRole(req: Request, serviceRoleKey: string | undefined): boolean {
  const token = (req.headers.get('Authorization') ?? '').replace(/^Bearer\s+/i, '').trim();
  if (!token) return false;
  if (serviceRoleKey && token === serviceRoleKey) return true;
  const payload = token.split('.')[1];
  if (!payload) return false;
  try {
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    return claims?.role === 'service_role';
  } catch {
    return false;
  }
}
