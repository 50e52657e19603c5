/**
 * The kernel↔lab contract, in one place both sides import: the kernel bridge (method names, option
 * schemas, results, marker, error codes) and KFP auth modes. The views' view models stay here as
 * types. The views themselves are HTML only (no custom MIME types): JupyterLab shows the same
 * text/html as nbconvert and GitHub. Browser-safe: nothing here imports Node, and the only non-type
 * import is zod.
 */
export * from './auth';
export * from './bridge';
export type * from './view-models';
