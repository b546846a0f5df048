/**
 * JWT checks as Supabase Realtime makes them (HS256 with the project's secret;
 * `role` and `exp` required), with its error codes and messages.
 */
import { errors, jwtVerify, decodeJwt } from 'jose';

export type Claims = Record<string, unknown> & { role: string; exp: number; sub?: string };

export type TokenCheck =
  | { ok: true; claims: Claims }
  | { ok: false; code: 'InvalidJWTToken' | 'MalformedJWT' | 'JwtSignatureError'; message: string };

export function makeVerifier(secret: string) {
  const key = new TextEncoder().encode(secret);
  return async function verify(token: unknown): Promise<TokenCheck> {
    if (typeof token !== 'string' || token.split('.').length !== 3) {
      return { ok: false, code: 'MalformedJWT', message: 'The token provided is not a valid JWT' };
    }
    let payload: Record<string, unknown>;
    try {
      payload = (await jwtVerify(token, key, { algorithms: ['HS256'] })).payload as Record<string, unknown>;
    } catch (err) {
      if (err instanceof errors.JWTExpired) {
        const exp = Number((err.payload as Record<string, unknown>).exp);
        const ago = Math.max(0, Math.floor(Date.now() / 1000) - exp);
        return { ok: false, code: 'InvalidJWTToken', message: `Token has expired ${ago} seconds ago` };
      }
      if (err instanceof errors.JWSSignatureVerificationFailed) {
        return { ok: false, code: 'JwtSignatureError', message: 'Failed to validate JWT signature' };
      }
      if (err instanceof errors.JOSEAlgNotAllowed) {
        return { ok: false, code: 'JwtSignatureError', message: 'Failed to validate JWT signature' };
      }
      if (err instanceof errors.JWTClaimValidationFailed) {
        return { ok: false, code: 'InvalidJWTToken', message: err.message };
      }
      return { ok: false, code: 'MalformedJWT', message: 'The token provided is not a valid JWT' };
    }
    if (typeof payload.role !== 'string' || typeof payload.exp !== 'number') {
      return { ok: false, code: 'InvalidJWTToken', message: 'Fields `role` and `exp` are required in JWT' };
    }
    return { ok: true, claims: payload as Claims };
  };
}

export type Verifier = ReturnType<typeof makeVerifier>;

/** Seconds until the token's `exp` (negative when expired). */
export function secondsLeft(claims: Claims): number {
  return claims.exp - Date.now() / 1000;
}

export function peekClaims(token: string): Record<string, unknown> | null {
  try {
    return decodeJwt(token) as Record<string, unknown>;
  } catch {
    return null;
  }
}
