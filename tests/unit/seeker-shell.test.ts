/**
 * seeker.html's static shell repeats words of the seekers' pages (so it can
 * paint before any JavaScript); these checks fail when the shell drifts from
 * the catalogues or from the rules the pages use, and pin down the small
 * translation helper the pages use instead of an i18n library.
 */
import { describe, expect, it } from 'vitest';
import shellHtml from '../../seeker.html?raw';
import redirects from '../../public/_redirects?raw';
import { LANGUAGE_STORAGE_KEY, isLanguage, translate, type Namespace } from '@/i18n';
import { isSeekerPath } from '@/lib/paths';
import { STATUS_LABELS } from '@shared/statuses.ts';

const shell = new DOMParser().parseFromString(shellHtml, 'text/html');

describe("seeker.html's static shell", () => {
  it('says what the pages say, in English and Spanish', () => {
    const texts = [...shell.querySelectorAll<HTMLElement>('[data-t]')];
    expect(texts.length).toBeGreaterThanOrEqual(10);
    const keys = new Set<string>();
    for (const el of texts) {
      const [ns, key] = el.dataset.t!.split(':') as [Namespace, string];
      const lang = el.lang;
      expect(isLanguage(lang), `lang of ${el.dataset.t}`).toBe(true);
      if (!isLanguage(lang)) continue;
      expect(el.textContent, `${lang} ${el.dataset.t}`).toBe(translate(lang, ns, key));
      keys.add(`${lang} ${el.dataset.t}`);
    }
    // every text is there in both languages
    for (const k of keys) expect(keys).toContain(k.startsWith('en ') ? `es ${k.slice(3)}` : `en ${k.slice(3)}`);
    for (const heading of ['portal:signInTitle', 'oneClick:title']) expect(keys).toContain(`en ${heading}`);
  });

  it('has the words it draws a one-click answer with: every row of the summary and every status', () => {
    const words = new Set([...shell.querySelectorAll<HTMLElement>('#shell-words [data-t]')].map((e) => e.dataset.t));
    const oneClick = [
      'program',
      'for',
      'currentStatus',
      'reason',
      'comment',
      'newStatus',
      'confirmIntro',
      'chooseIntro',
    ];
    for (const key of oneClick) expect(words, key).toContain(`oneClick:${key}`);
    for (const status of Object.keys(STATUS_LABELS.en)) expect(words, status).toContain(`common:status.${status}`);
    // the inline script looks each word up by these keys
    const script = shell.querySelector('head script:not([src])')!.textContent!;
    for (const key of oneClick) expect(script).toContain(`'oneClick:${key}'`);
    expect(script).toContain("'common:status.'");
    // data goes in as text only
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  it('reads the language where src/i18n keeps it, and asks the one-click answer the way the page does', () => {
    const script = shell.querySelector('head script:not([src])')!.textContent!;
    expect(script).toContain(`localStorage.getItem('${LANGUAGE_STORAGE_KEY}')`);
    expect(script).toContain("action: 'inspect'");
    expect(script).toContain('/functions/v1/apply-status-link?apikey=');
  });

  it('hides its interactive parts from assistive technology (React draws the real controls)', () => {
    for (const ph of shell.querySelectorAll('.ph')) expect(ph.getAttribute('aria-hidden')).toBe('true');
    expect(shell.querySelectorAll('#root input, #root button, #root a')).toHaveLength(0);
  });
});

describe('which paths are the seekers’ pages', () => {
  it.each([
    ['/portal', true],
    ['/portal/', true],
    ['/r/abc.got_help.sig', true],
    ['/r/abc/', true],
    ['/r/', false],
    ['/r/a/b', false],
    ['/portal/x', false],
    ['/people', false],
    ['/sign-in', false],
    ['/', false],
  ])('%s → %s', (path, seeker) => {
    expect(isSeekerPath(path)).toBe(seeker);
  });

  it('public/_redirects sends the same paths to seeker.html and the rest to index.html', () => {
    const rules = redirects
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => l.trim().split(/\s+/) as [string, string, string]);
    const target = (path: string) => {
      for (const [from, to] of rules) {
        const re = new RegExp(`^${from.replace(/:[a-z]+/g, '[^/]+').replace('/*', '/.*')}$`);
        if (re.test(path)) return to;
      }
      return undefined;
    };
    for (const path of ['/portal', '/portal/', '/r/abc.got_help.sig', '/r/abc/'])
      expect(target(path), path).toBe('/seeker.html');
    for (const path of ['/people', '/sign-in', '/', '/r/a/b', '/inbound'])
      expect(target(path), path).toBe('/index.html');
  });
});

describe('the translation helper', () => {
  it('fills placeholders, reads another namespace and falls back to English, then to the key', () => {
    expect(translate('es', 'portal', 'greeting', { name: 'Rita' })).toBe('Hola, Rita');
    expect(translate('en', 'portal', 'common:status.got_help')).toBe('Got help');
    expect(translate('es', 'oneClick', 'confirm', { status: 'Recibió ayuda' })).toBe('Confirmar: Recibió ayuda');
    expect(translate('es', 'portal', 'no.such.key')).toBe('no.such.key');
  });
});
