import { notifications } from '@mantine/notifications';
import { errorMessage } from './errors';

const CLOSE = { 'aria-label': 'Dismiss notification' };

/** Success and failure toasts, worded the same everywhere. */
export function notifySuccess(message: string, title?: string) {
  notifications.show({ color: 'green', title, message, autoClose: 4000, closeButtonProps: CLOSE });
}

export function notifyError(error: unknown, title = 'That did not work') {
  notifications.show({ color: 'red', title, message: errorMessage(error), autoClose: 7000, closeButtonProps: CLOSE });
}
