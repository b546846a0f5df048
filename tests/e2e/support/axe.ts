/**
 * Accessibility scan with axe-core: WCAG 2.0/2.1 A and AA rules; the test fails
 * on any serious or critical violation and prints what and where.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export type AxeFinding = { id: string; impact: string | null | undefined; help: string; targets: string[] };

export async function scanPage(page: Page, label: string): Promise<AxeFinding[]> {
  // @axe-core/playwright's types name @playwright/test's Page; playwright-core's is the same object.
  const results = await new AxeBuilder({ page: page as never }).withTags(WCAG_TAGS).analyze();
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
  if (serious.length) {
    process.stderr.write(
      `axe on ${label}:\n${serious.map((f) => `  [${f.impact}] ${f.id}: ${f.help}\n    ${f.targets.join('\n    ')}`).join('\n')}\n`,
    );
  }
  return serious;
}
