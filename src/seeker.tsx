/**
 * The entry of the pages seekers open from a message: /portal and
 * /r/<token> (seeker.html). It loads React, these two pages and nothing of
 * the staff app (no router, layout, Mantine or staff features; ESLint keeps
 * it so); the signed-in portal and the Supabase client load when needed.
 * seeker.html paints a static shell of the same page before this runs, and
 * React's first render draws the same thing.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { OneClickPage } from '@/features/one-click';
import { PortalPage } from '@/features/portal';
import { isLanguage, setSeekerLanguage } from '@/i18n';
import { usePathname } from '@/lib/seeker-router';

function SeekerApp() {
  const path = usePathname();
  const oneClick = /^\/r\/([^/]+)\/?$/.exec(path);
  if (oneClick) {
    let token = oneClick[1]!;
    try {
      token = decodeURIComponent(token);
    } catch {
      // a garbled link: the page says it does not work
    }
    return <OneClickPage token={token} />;
  }
  return <PortalPage />;
}

// A link's answer that arrived before this script: speak its language from the first render.
const early = window.__statusLink?.value;
if (isLanguage(early?.language)) setSeekerLanguage(early.language);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SeekerApp />
  </StrictMode>,
);
