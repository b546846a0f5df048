import type { ReactElement, ReactNode } from 'react';
import { render as rtlRender } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MantineProvider } from '@mantine/core';
import { cssVariablesResolver, theme } from '@/app/theme';

/** Render inside the app's theme; env="test" turns off portals' transitions for stable tests. */
export function render(ui: ReactElement) {
  const user = userEvent.setup();
  const result = rtlRender(ui, {
    wrapper: ({ children }: { children: ReactNode }) => (
      <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} env="test">
        {children}
      </MantineProvider>
    ),
  });
  return { user, ...result };
}

/** A promise the test settles by hand, to see pending states. */
export function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
