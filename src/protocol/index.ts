/**
 * The kernel↔lab contract, in one place both sides import: the kernel bridge (method names, option
 * schemas, results, marker, error codes), KFP auth modes, the views' MIME types and payloads, and
 * the view models the payloads carry. Browser-safe: nothing here imports Node, and the only
 * non-type import is zod.
 */
export * from './auth';
export * from './bridge';
export * from './mime';
export type * from './view-models';
