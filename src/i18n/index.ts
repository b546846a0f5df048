/**
 * Translations for the pages seekers use (the portal and the one-click
 * confirm page). A few lines of its own instead of an i18n library, so those
 * pages load little: the catalogues under ./locales (one file per language,
 * `{{name}}` placeholders), the language in a small store (remembered in
 * localStorage, else the browser's), and `useT(namespace)` for components.
 * The staff screens (English only for now) do not use it.
 */
import { useCallback, useEffect, useSyncExternalStore } from 'react';
import { en, type Catalogue } from './locales/en';
import { es } from './locales/es';

export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];
export type Namespace = keyof Catalogue;

export function isLanguage(v: unknown): v is Language {
  return v === 'en' || v === 'es';
}

/** Also read by the inline script of seeker.html, so the static shell paints in the same language. */
export const LANGUAGE_STORAGE_KEY = 'seeker-language';

const CATALOGUES: Record<Language, Catalogue> = { en, es };

function initialLanguage(): Language {
  try {
    const stored = localStorage.getItem(LANGUAGE_STORAGE_KEY);
    if (isLanguage(stored)) return stored;
  } catch {
    // storage may be unavailable (private mode)
  }
  const nav = typeof navigator !== 'undefined' ? navigator.language.slice(0, 2) : 'en';
  return isLanguage(nav) ? nav : 'en';
}

let current: Language = initialLanguage();
const listeners = new Set<() => void>();

export function getSeekerLanguage(): Language {
  return current;
}

export function setSeekerLanguage(lang: Language): void {
  try {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, lang);
  } catch {
    // not remembered; still switched
  }
  if (lang === current) return;
  current = lang;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The language the seeker's pages speak now; re-renders when it changes. */
export function useSeekerLanguage(): Language {
  return useSyncExternalStore(subscribe, getSeekerLanguage, getSeekerLanguage);
}

function lookup(catalogue: Catalogue, ns: string, path: string): string | undefined {
  let node: unknown = (catalogue as Record<string, unknown>)[ns];
  for (const part of path.split('.')) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/**
 * `key` is a path in `ns` ('greeting', 'next.pending') or names its own
 * namespace ('common:status.got_help'). A missing string falls back to
 * English, then to the key itself.
 */
export function translate(lang: Language, ns: Namespace, key: string, vars?: Record<string, string>): string {
  const colon = key.indexOf(':');
  const [space, path] = colon > 0 ? [key.slice(0, colon), key.slice(colon + 1)] : [ns, key];
  const text = lookup(CATALOGUES[lang], space, path) ?? lookup(en, space, path) ?? key;
  return vars ? text.replace(/\{\{(\w+)\}\}/g, (m, name: string) => vars[name] ?? m) : text;
}

export type Translate = (key: string, vars?: Record<string, string>) => string;

/** `t(key, vars)` in the current language, for one namespace (default: common). */
export function useT(ns: Namespace = 'common'): { t: Translate; lang: Language } {
  const lang = useSeekerLanguage();
  const t = useCallback<Translate>((key, vars) => translate(lang, ns, key, vars), [lang, ns]);
  return { t, lang };
}

/** Keeps <html lang> in step with the page's language while it is shown. */
export function useDocumentLanguage(): Language {
  const lang = useSeekerLanguage();
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  return lang;
}
