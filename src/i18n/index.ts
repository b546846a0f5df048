/**
 * Translations for the pages seekers use (the portal and the one-click
 * confirm page), with i18next + react-i18next. One instance, its own, so the
 * staff screens (English only for now) are not affected. Strings live in the
 * catalogues under ./locales, one file per language.
 */
import { useEffect } from 'react';
import i18next from 'i18next';
import { initReactI18next, useTranslation } from 'react-i18next';
import { en } from './locales/en';
import { es } from './locales/es';

export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

export function isLanguage(v: unknown): v is Language {
  return v === 'en' || v === 'es';
}

const STORAGE_KEY = 'seeker-language';

function initialLanguage(): Language {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (isLanguage(stored)) return stored;
  } catch {
    // storage may be unavailable (private mode)
  }
  const nav = typeof navigator !== 'undefined' ? navigator.language.slice(0, 2) : 'en';
  return isLanguage(nav) ? nav : 'en';
}

export const seekerI18n = i18next.createInstance();
void seekerI18n.use(initReactI18next).init({
  resources: { en, es },
  lng: initialLanguage(),
  fallbackLng: 'en',
  ns: ['common', 'portal', 'oneClick', 'summary'],
  defaultNS: 'common',
  interpolation: { escapeValue: false },
  initAsync: false,
});

export function setSeekerLanguage(lang: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not remembered; still switched
  }
  void seekerI18n.changeLanguage(lang);
}

/** Keeps <html lang> in step with the page's language while it is shown. */
export function useDocumentLanguage(): Language {
  const { i18n } = useTranslation();
  const lang: Language = isLanguage(i18n.language) ? i18n.language : 'en';
  useEffect(() => {
    const previous = document.documentElement.lang;
    document.documentElement.lang = lang;
    return () => {
      document.documentElement.lang = previous || 'en';
    };
  }, [lang]);
  return lang;
}
