import type { ReactNode } from 'react';
import { Box, Button, Container, Group, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useDocumentLanguage, type Language } from '@/i18n';

/**
 * The frame of the seeker's pages: a plain header (name of the page, a
 * language switch, optionally sign out) and one main column that fits a
 * 360 px phone.
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
  const { t } = useTranslation();
  const lang = useDocumentLanguage();
  const other: Language = lang === 'en' ? 'es' : 'en';
  return (
    <Box mih="100vh" bg="gray.0">
      <Box component="header" bg="white" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        <Container size={640} px="md" py="sm">
          <Group justify="space-between" wrap="nowrap" gap="xs">
            <Text fw={700} size="lg">
              {t('appName')}
            </Text>
            <Group gap="xs" wrap="nowrap">
              <Button
                variant="subtle"
                size="compact-md"
                lang={other}
                aria-label={t('switchToLabel')}
                onClick={() => onLanguage(other)}
              >
                {t('switchTo')}
              </Button>
              {onSignOut && (
                <Button variant="outline" size="compact-md" onClick={onSignOut}>
                  {t('portal:signOut')}
                </Button>
              )}
            </Group>
          </Group>
        </Container>
      </Box>
      <Container component="main" size={640} px="md" py="lg">
        {children}
      </Container>
    </Box>
  );
}
