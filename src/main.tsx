import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './app/global.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app';

/**
 * The built index.html only preloads the stylesheet, so its shell paints
 * without waiting for it (vite.config.ts): apply it here, and render once it
 * is in (in dev, Vite adds the styles itself and there is nothing to wait for).
 */
function applyStyles(): Promise<unknown> {
  const preloads = document.querySelectorAll<HTMLLinkElement>('link[rel="preload"][data-app-styles]');
  return Promise.all(
    Array.from(preloads, (preload) => {
      const sheet = document.createElement('link');
      sheet.rel = 'stylesheet';
      sheet.href = preload.href;
      sheet.crossOrigin = preload.crossOrigin;
      const applied = new Promise((done) => {
        sheet.onload = sheet.onerror = done;
      });
      preload.after(sheet);
      return applied;
    }),
  );
}

void applyStyles().then(() =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  ),
);
