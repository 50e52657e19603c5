/**
 * How requests to the KFP API authenticate (the KFP SDK's modes): nothing, a bearer token, the
 * Kubeflow dashboard's session cookie, or a Kubernetes service-account token file. The kernel's
 * KfpAuth implements them; the panel offers them in its auth menu.
 */
export const AUTH_MODES = ['none', 'bearer', 'cookie', 'serviceAccount'] as const;

export type AuthMode = (typeof AUTH_MODES)[number];

/** The labels the panel shows for each mode. */
export const AUTH_MODE_LABELS: Readonly<Record<AuthMode, string>> = {
  none: 'None',
  bearer: 'Bearer token',
  cookie: 'Cookie',
  serviceAccount: 'Service-account token file',
};
