/**
 * GoTrue's rate limits (internal/api/apilimiter), from `[auth.rate_limit]`:
 *
 * | limiter | routes | rate | burst | key |
 * | --- | --- | --- | --- | --- |
 * | token_verifications | GET/POST /verify | n per 5 min | 30 | client IP |
 * | token_refresh | POST /token (every grant) | n per 5 min | 30 | client IP |
 * | sign_in_sign_ups | /signup, /otp, /magiclink, /recover, /resend, PUT /user | n per 5 min | 30 | client IP |
 * | anonymous_users | anonymous /signup | n per hour | n | client IP |
 * | email_sent | every email Auth sends, only while confirmations are on | n per hour | - | whole project |
 *
 * The per-IP ones are token buckets (tollbooth over golang.org/x/time/rate):
 * a full bucket of `burst` requests, refilled at `n / window`; an empty one
 * answers 429 `over_request_rate_limit` "Request rate limit reached". The
 * email one is GoTrue's interval counter (reset every hour); over it, 429
 * `over_email_send_rate_limit` "email rate limit exceeded".
 *
 * Environment variables with GoTrue's names override config.toml for the
 * stack's own instance (tests and benchmarks raise them so their many
 * sign-ins from one address are never refused): GOTRUE_RATE_LIMIT_VERIFY,
 * GOTRUE_RATE_LIMIT_TOKEN_REFRESH, GOTRUE_RATE_LIMIT_OTP,
 * GOTRUE_RATE_LIMIT_ANONYMOUS_USERS, GOTRUE_RATE_LIMIT_EMAIL_SENT.
 */
import type { AuthRateLimits } from '../config.ts';
import { tooManyRequests } from './http.ts';

const FIVE_MINUTES = 5 * 60;
const HOUR = 60 * 60;

export const RATE_LIMIT_ENV: Record<keyof AuthRateLimits, string> = {
  tokenVerifications: 'GOTRUE_RATE_LIMIT_VERIFY',
  tokenRefresh: 'GOTRUE_RATE_LIMIT_TOKEN_REFRESH',
  signInSignUps: 'GOTRUE_RATE_LIMIT_OTP',
  anonymousUsers: 'GOTRUE_RATE_LIMIT_ANONYMOUS_USERS',
  emailSent: 'GOTRUE_RATE_LIMIT_EMAIL_SENT',
};

/** config.toml's limits with any GOTRUE_RATE_LIMIT_* variable of `env` on top. */
export function withEnvOverrides(limits: AuthRateLimits, env: NodeJS.ProcessEnv): AuthRateLimits {
  const out = { ...limits };
  for (const [key, name] of Object.entries(RATE_LIMIT_ENV) as [keyof AuthRateLimits, string][]) {
    const v = env[name];
    if (v !== undefined && v.trim() !== '' && Number.isFinite(Number(v))) out[key] = Number(v);
  }
  return out;
}

/** One token bucket per key; idle keys are forgotten after `ttlSeconds`, as tollbooth's expirable store does. */
export class IpLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perSecond: number;
  private sweepAt = Date.now();

  constructor(
    perWindow: number,
    windowSeconds: number,
    private readonly burst: number,
    private readonly ttlSeconds: number,
  ) {
    this.perSecond = Math.max(0, perWindow) / windowSeconds;
  }

  /** Takes one request from `key`'s bucket; false when it is empty. */
  allow(key: string, now = Date.now()): boolean {
    this.sweep(now);
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private sweep(now: number): void {
    if (now - this.sweepAt < 60_000) return;
    this.sweepAt = now;
    for (const [k, b] of this.buckets) if (now - b.at > this.ttlSeconds * 1000) this.buckets.delete(k);
  }
}

/** GoTrue's IntervalLimiter: `events` per `intervalSeconds`, the count reset each interval. */
export class IntervalLimiter {
  private last = Date.now();
  private count = 0;

  constructor(
    private readonly events: number,
    private readonly intervalSeconds: number,
  ) {}

  allow(now = Date.now()): boolean {
    const ival = this.intervalSeconds * 1000;
    const passed = Math.floor((now - this.last) / ival);
    if (passed > 0) {
      this.last += passed * ival;
      this.count = 0;
    }
    if (this.count < this.events) {
      this.count++;
      return true;
    }
    return false;
  }
}

export type LimitedRoute = 'verify' | 'token' | 'otp' | 'anonymous';

export class RateLimiter {
  private readonly perIp: Record<LimitedRoute, IpLimiter>;
  private readonly email: IntervalLimiter;

  constructor(readonly limits: AuthRateLimits) {
    this.perIp = {
      verify: new IpLimiter(limits.tokenVerifications, FIVE_MINUTES, 30, HOUR),
      token: new IpLimiter(limits.tokenRefresh, FIVE_MINUTES, 30, HOUR),
      otp: new IpLimiter(limits.signInSignUps, FIVE_MINUTES, 30, HOUR),
      anonymous: new IpLimiter(limits.anonymousUsers, HOUR, Math.max(0, Math.floor(limits.anonymousUsers)), HOUR),
    };
    this.email = new IntervalLimiter(limits.emailSent, HOUR);
  }

  /** Throws GoTrue's 429 when the client's bucket for this route is empty. */
  check(route: LimitedRoute, clientIp: string): void {
    if (!this.perIp[route].allow(clientIp || 'unknown')) {
      throw tooManyRequests('over_request_rate_limit', 'Request rate limit reached');
    }
  }

  /** Counts one email against the project's hourly allowance (GoTrue applies it only while confirmations are on). */
  checkEmail(): void {
    if (this.limits.emailSent <= 0 || !this.email.allow()) {
      throw tooManyRequests('over_email_send_rate_limit', 'email rate limit exceeded');
    }
  }
}
