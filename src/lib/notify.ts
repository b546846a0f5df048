import type { NotificationData } from '@mantine/notifications';
import { errorMessage } from './errors';

const CLOSE = { 'aria-label': 'Dismiss notification' };

// Loaded on first use: toasts are never part of the first paint.
function show(data: NotificationData) {
  void import('@mantine/notifications').then(({ notifications }) => notifications.show(data));
}

/** Success and failure toasts, worded the same everywhere. */
export function notifySuccess(message: string, title?: string) {
  show({ color: 'green', title, message, autoClose: 4000, closeButtonProps: CLOSE });
}

export function notifyError(error: unknown, title = 'That did not work') {
  show({ color: 'red', title, message: errorMessage(error), autoClose: 7000, closeButtonProps: CLOSE });
}
