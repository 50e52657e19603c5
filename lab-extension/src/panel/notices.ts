/**
 * Notices the panel shows (information, warnings, errors), as data: the model and the controller
 * produce them, views/notice.ts draws them. Bridge errors keep their code, hint and kernel output.
 */
import { BridgeError } from '../bridge/client';

export type NoticeKind = 'info' | 'warning' | 'error' | 'success';

export interface INotice {
  kind: NoticeKind;
  title: string;
  message?: string;
  hint?: string;
  code?: string;
  details?: string;
  /** The form field the notice is about (for inline validation). */
  field?: string;
}

/** A notice for any error thrown by a bridge call. */
export function errorNotice(action: string, error: unknown): INotice {
  if (error instanceof BridgeError) {
    return {
      kind: 'error',
      title: `${action} failed`,
      code: String(error.code),
      message: error.message,
      hint: error.hint,
      details: error.details
    };
  }
  return {
    kind: 'error',
    title: `${action} failed`,
    message: error instanceof Error ? error.message : String(error)
  };
}
