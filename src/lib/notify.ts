import { notifications } from '@mantine/notifications';
import { errorMessage } from './errors';

/** Success and failure toasts, worded the same everywhere. */
export function notifySuccess(message: string, title?: string) {
  notifications.show({ color: 'green', title, message, autoClose: 4000 });
}

export function notifyError(error: unknown, title = 'That did not work') {
  notifications.show({ color: 'red', title, message: errorMessage(error), autoClose: 7000 });
}
