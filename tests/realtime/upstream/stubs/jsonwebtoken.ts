/** Stand-in for `jsonwebtoken`'s sign(payload, secret, { expiresIn }) with HS256, as the upstream test uses it. */
import { createHmac } from 'node:crypto';

const b64 = (v: string | Buffer) => Buffer.from(v).toString('base64url');

export function sign(payload: Record<string, unknown>, secret: string, opts: { expiresIn?: string | number } = {}) {
  const iat = Math.floor(Date.now() / 1000);
  const ttl =
    typeof opts.expiresIn === 'number'
      ? opts.expiresIn
      : /^(\d+)h$/.test(opts.expiresIn ?? '')
        ? Number(/^(\d+)h$/.exec(opts.expiresIn!)![1]) * 3600
        : 3600;
  const body = { ...payload, iat, exp: iat + ttl };
  const head = `${b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64(JSON.stringify(body))}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

export default { sign };
