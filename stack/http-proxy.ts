/**
 * http-proxy 1.18, loaded so that it never prints Node's DEP0060 warning.
 * It copies options with `util._extend`, a runtime deprecation since Node 22
 * (a warning on the first proxied request). It reads `util._extend` once, as
 * it loads: this module hands it Object.assign (the same copy for its plain
 * option objects) for that moment only, and leaves `util` as it was.
 */
import { createRequire } from 'node:module';
import util from 'node:util';
import type HttpProxy from 'http-proxy';

const require = createRequire(import.meta.url);
const patched = util as unknown as { _extend: (target: object, source: object) => object };
const original = patched._extend;
patched._extend = (target, source) => Object.assign(target, source);
let httpProxy: typeof HttpProxy;
try {
  httpProxy = require('http-proxy') as typeof HttpProxy;
} finally {
  patched._extend = original;
}

export default httpProxy;
