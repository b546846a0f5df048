import { useEffect, useState } from 'react';
import { RadioGroup } from '@/components/seeker-ui';
import { useT } from '@/i18n';
import type { MySeeker } from '../api/get-my-seeker';

const CONTACTS = ['email', 'text', 'phone', 'none'] as const;

/** How the seeker wants to be reached, and in which language; each choice saves at once. */
export function PreferencesForm({
  seeker,
  onChange,
  message,
}: {
  seeker: MySeeker;
  onChange: (changes: Partial<Pick<MySeeker, 'preferred_contact' | 'preferred_language'>>) => void;
  /** The outcome of the last save, worded when shown (a language switch re-words it). */
  message: { key: 'saved' | 'saveFailed'; error: boolean } | null;
}) {
  const { t } = useT('portal');
  // The choice shows at once; the saved value takes over when it arrives (or
  // puts the old one back when saving failed).
  const [contact, setContact] = useState(seeker.preferred_contact);
  const [language, setLanguage] = useState(seeker.preferred_language);
  useEffect(() => setContact(seeker.preferred_contact), [seeker.preferred_contact]);
  useEffect(() => setLanguage(seeker.preferred_language), [seeker.preferred_language]);
  // email needs an email address and text a phone number (the database refuses them otherwise)
  const missing = (c: (typeof CONTACTS)[number]) =>
    c === 'email' && !seeker.email
      ? t('contactNeedsEmail')
      : c === 'text' && !seeker.phone?.trim()
        ? t('contactNeedsPhone')
        : undefined;
  return (
    <section aria-labelledby="preferences-title" className="card p-md stack">
      <h2 className="h2" id="preferences-title">
        {t('preferencesTitle')}
      </h2>
      <RadioGroup
        legend={t('contactLegend')}
        value={contact}
        options={CONTACTS.map((c) => ({
          value: c,
          label: t(`contact.${c}`),
          disabled: !!missing(c),
          description: missing(c),
        }))}
        onChange={(v) => {
          setContact(v);
          onChange({ preferred_contact: v });
        }}
      />
      <RadioGroup
        legend={t('languageLegend')}
        value={language}
        options={[
          { value: 'en', label: 'English', lang: 'en' },
          { value: 'es', label: 'Español', lang: 'es' },
        ]}
        onChange={(v) => {
          setLanguage(v);
          onChange({ preferred_language: v });
        }}
      />
      <p role="status" className={message?.error ? 'sm status-line error' : 'sm status-line'}>
        {message ? t(message.key) : ''}
      </p>
    </section>
  );
}
