import { Paper, Radio, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
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
  message: { key: 'saved' | 'saveFailed'; error: boolean } | null;
}) {
  const { t } = useTranslation('portal');
  // The choice shows at once; the saved value takes over when it arrives (or
  // puts the old one back when saving failed).
  const [contact, setContact] = useState(seeker.preferred_contact);
  const [language, setLanguage] = useState(seeker.preferred_language);
  useEffect(() => setContact(seeker.preferred_contact), [seeker.preferred_contact]);
  useEffect(() => setLanguage(seeker.preferred_language), [seeker.preferred_language]);
  return (
    <Paper component="section" aria-labelledby="preferences-title" withBorder radius="md" p="md">
      <Stack gap="md">
        <Title order={2} size="h3" id="preferences-title">
          {t('preferencesTitle')}
        </Title>
        <Radio.Group
          label={t('contactLegend')}
          value={contact}
          onChange={(v) => {
            setContact(v as MySeeker['preferred_contact']);
            onChange({ preferred_contact: v as MySeeker['preferred_contact'] });
          }}
        >
          <Stack gap="xs" mt="xs">
            {CONTACTS.map((c) => (
              <Radio
                key={c}
                value={c}
                label={t(`contact.${c}`)}
                // email needs an email address and text a phone number (the database refuses them otherwise)
                disabled={(c === 'email' && !seeker.email) || (c === 'text' && !seeker.phone?.trim())}
                description={
                  c === 'email' && !seeker.email
                    ? t('contactNeedsEmail')
                    : c === 'text' && !seeker.phone?.trim()
                      ? t('contactNeedsPhone')
                      : undefined
                }
              />
            ))}
          </Stack>
        </Radio.Group>
        <Radio.Group
          label={t('languageLegend')}
          value={language}
          onChange={(v) => {
            setLanguage(v as MySeeker['preferred_language']);
            onChange({ preferred_language: v as MySeeker['preferred_language'] });
          }}
        >
          <Stack gap="xs" mt="xs">
            <Radio value="en" label="English" lang="en" />
            <Radio value="es" label="Español" lang="es" />
          </Stack>
        </Radio.Group>
        <Text role="status" size="sm" c={message?.error ? 'red.9' : undefined} mih={20}>
          {message ? t(message.key) : ''}
        </Text>
      </Stack>
    </Paper>
  );
}
