import type { z } from 'zod';

/** An error whose message already says what is wrong and how to fix it; the CLI prints only the message. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(hint ? `${message}\n  Fix: ${hint}` : message);
    this.name = 'UserError';
  }
}

/** Raised for features that are not built yet, so nobody mistakes a gap for a result. */
export class NotSupportedError extends UserError {
  constructor(feature: string, hint?: string) {
    super(`${feature} is not supported yet.`, hint);
    this.name = 'NotSupportedError';
  }
}

export function formatZodError(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(parameters)'}: ${issue.message}`).join('; ');
}
