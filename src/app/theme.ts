import { createTheme, type CSSVariablesResolver } from '@mantine/core';

/**
 * The one theme, shared by the app and the component tests. Shades are chosen
 * for WCAG AA contrast: filled buttons use shade 8 under white text, and dimmed
 * text is darker than Mantine's default.
 */
export const theme = createTheme({
  primaryColor: 'indigo',
  primaryShade: { light: 8, dark: 5 },
  fontFamily: 'Inter, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  headings: { fontWeight: '650' },
  defaultRadius: 'md',
  cursorType: 'pointer',
  autoContrast: true,
  luminanceThreshold: 0.45,
  components: {
    Badge: { defaultProps: { variant: 'light' } },
  },
});

export const cssVariablesResolver: CSSVariablesResolver = (t) => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': t.colors.gray[7],
    '--mantine-color-placeholder': t.colors.gray[6],
  },
  dark: {},
});
