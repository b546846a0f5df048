import type { ReactNode } from 'react';
import { Button } from '@/components/seeker-ui';
import { useDocumentLanguage, useT, type Language } from '@/i18n';

/**
 * The frame of the seeker's pages: a plain header (name of the page, a
 * language switch, optionally sign out) and one main column that fits a
 * 360 px phone. seeker.html's static shell draws the same frame.
 */
export function PortalShell({
  children,
  onLanguage,
  onSignOut,
}: {
  children: ReactNode;
  onLanguage: (lang: Language) => void;
  onSignOut?: () => void;
}) {
  const { t } = useT();
  const lang = useDocumentLanguage();
  const other: Language = lang === 'en' ? 'es' : 'en';
  return (
    <div className="page">
      <header className="bar">
        <div className="wrap bar-row">
          <span className="brand">{t('appName')}</span>
          <span className="row nowrap gap-xs">
            <Button
              variant="subtle"
              size="compact"
              lang={other}
              aria-label={t('switchToLabel')}
              onClick={() => onLanguage(other)}
            >
              {t('switchTo')}
            </Button>
            {onSignOut && (
              <Button variant="outline" size="compact" onClick={onSignOut}>
                {t('portal:signOut')}
              </Button>
            )}
          </span>
        </div>
      </header>
      <main className="wrap main">{children}</main>
    </div>
  );
}
