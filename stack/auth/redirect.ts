/**
 * Where Auth may send a browser after an email link: the site URL, or a URL
 * matching one of `additional_redirect_urls` (glob patterns with `.` and `/`
 * as separators, as GoTrue compiles them). Anything else falls back to the
 * site URL, silently, so an email link can never become an open redirect.
 */
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

function escapeRe(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

/**
 * Compiles a glob: `*` any run of non-separators, `**` anything, `?` one
 * non-separator, `[a-z]` / `[!a-z]` classes, `{a,b}` alternatives, `\c` a
 * literal c.
 */
export function globToRegExp(pattern: string): RegExp {
  const NON_SEP = '[^./]';
  let re = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      re += escapeRe(pattern[++i]!);
    } else if (c === '*') {
      if (pattern[i + 1] === '*') {
        re += '.*';
        i++;
      } else {
        re += `${NON_SEP}*`;
      }
    } else if (c === '?') {
      re += NON_SEP;
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) {
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      const cls = body.replace(/[\\\]^]/g, (m) => `\\${m}`);
      re += negate ? `[^${cls}]` : `[${cls}]`;
      i = end;
    } else if (c === '{') {
      depth++;
      re += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      re += ')';
    } else if (c === ',' && depth > 0) {
      re += '|';
    } else {
      re += escapeRe(c);
    }
  }
  while (depth-- > 0) re += ')';
  return new RegExp(`^${re}$`);
}

function hostnameOf(u: URL): string {
  return u.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

function isLocalhost(host: string): boolean {
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '0.0.0.0' ||
    host === '::1' ||
    /^127\.\d+\.\d+\.\d+$/.test(host)
  );
}

function isLoopbackIp(host: string): boolean {
  return host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const REGULAR_HOSTNAME = /^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/;

export class RedirectPolicy {
  private allow: RegExp[];

  constructor(
    public siteUrl: string,
    allowList: string[],
  ) {
    this.allow = allowList.filter((p) => p.trim() !== '').map((p) => globToRegExp(p.trim()));
  }

  isValid(target: string): boolean {
    if (!target) return false;
    let site: URL;
    let ref: URL;
    try {
      site = new URL(this.siteUrl);
      ref = new URL(target);
    } catch {
      return false;
    }
    const refHost = hostnameOf(ref);
    if (
      hostnameOf(site) === refHost &&
      site.protocol === ref.protocol &&
      (site.port === ref.port || isLocalhost(refHost))
    ) {
      return true;
    }
    const isHttp = ref.protocol === 'http:' || ref.protocol === 'https:';
    if (/^[0-9]+$/.test(refHost)) return false;
    if (isIP(refHost)) return isLoopbackIp(refHost);
    if (isHttp && !REGULAR_HOSTNAME.test(refHost)) return false;
    const withoutFragment = target.split('#')[0]!;
    return this.allow.some((re) => re.test(withoutFragment));
  }

  /**
   * The redirect for a request: its `redirect_to` (header, then query), else
   * its Referer, when allowed; otherwise the site URL.
   */
  referrer(req: IncomingMessage, query: URLSearchParams): string {
    const header = req.headers['redirect_to'];
    const fromRequest = (Array.isArray(header) ? header[0] : header) || query.get('redirect_to') || '';
    if (this.isValid(fromRequest)) return fromRequest;
    const referer = req.headers.referer ?? '';
    if (this.isValid(referer)) return referer;
    return this.siteUrl;
  }
}
