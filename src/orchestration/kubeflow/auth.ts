import * as fs from 'node:fs';
import { AUTH_MODES, AuthMode } from '../../protocol/auth';
import { UserError } from '../../util/errors';

/**
 * How requests to the KFP API authenticate, as the KFP SDK's Client does: nothing (port-forward,
 * single-user), a bearer token (`--token` / KFP_TOKEN; e.g. `gcloud auth print-access-token` or an
 * OIDC id token), the Kubeflow dashboard's session cookie (authservice_session=...), or a Kubernetes
 * service-account token file (KF_PIPELINES_SA_TOKEN_PATH, read on every request since it rotates).
 *
 * Secrets live in private fields only: they never appear in messages, JSON or logs; `describe()`
 * says which mode and where the secret came from, never its value.
 */

/** Where KFP mounts the projected service-account token in pipeline pods. */
export const DEFAULT_SA_TOKEN_PATH = '/var/run/secrets/kubeflow/pipelines/token';

export interface AuthOptions {
  authMode?: AuthMode;
  token?: string;
  cookie?: string;
  tokenPath?: string;
}

export class KfpAuth {
  readonly #secret: () => string | undefined;
  readonly #values: () => string[];

  private constructor(
    readonly mode: AuthMode,
    private readonly source: string,
    secret: () => string | undefined,
  ) {
    this.#secret = secret;
    this.#values = () => {
      try {
        const value = secret();
        return value ? [value] : [];
      } catch {
        return [];
      }
    };
  }

  /** Options first, then the environment (KFP_TOKEN, KF_PIPELINES_SA_TOKEN_PATH), as the KFP SDK. */
  static resolve(options: AuthOptions = {}, env: NodeJS.ProcessEnv = process.env): KfpAuth {
    const mode = options.authMode ?? inferMode(options, env);
    if (!AUTH_MODES.includes(mode)) {
      throw new UserError(`Unknown auth mode "${String(mode)}".`, `use one of: ${AUTH_MODES.join(', ')}.`);
    }
    switch (mode) {
      case 'none':
        return new KfpAuth('none', 'no credentials', () => undefined);
      case 'bearer': {
        const token = options.token?.trim() || env.KFP_TOKEN?.trim();
        if (!token)
          throw new UserError('Bearer auth needs a token.', 'pass --token <token> or set KFP_TOKEN (e.g. KFP_TOKEN=$(gcloud auth print-access-token)).');
        return new KfpAuth('bearer', options.token?.trim() ? 'a bearer token given as an option' : 'a bearer token from KFP_TOKEN', () => token);
      }
      case 'cookie': {
        const cookie = options.cookie?.trim() || env.KFP_COOKIE?.trim();
        if (!cookie)
          throw new UserError(
            'Cookie auth needs the session cookie.',
            'pass --cookie "authservice_session=<value>" (copy it from the browser after logging in to the Kubeflow dashboard) or set KFP_COOKIE.',
          );
        if (!cookie.includes('=')) throw new UserError('The cookie must be given as name=value.', 'pass e.g. --cookie "authservice_session=<value>".');
        const name = cookie.split('=')[0].trim();
        return new KfpAuth('cookie', `the session cookie ${name}`, () => cookie);
      }
      case 'serviceAccount': {
        const file = options.tokenPath || env.KF_PIPELINES_SA_TOKEN_PATH || DEFAULT_SA_TOKEN_PATH;
        if (!fs.existsSync(file)) {
          throw new UserError(
            `Service-account token file ${file} does not exist.`,
            'run inside a pod with the projected token volume, or set KF_PIPELINES_SA_TOKEN_PATH / tokenPath to the token file.',
          );
        }
        return new KfpAuth('serviceAccount', `the service-account token file ${file}`, () => {
          const token = fs.readFileSync(file, 'utf8').trim();
          if (!token) throw new UserError(`Service-account token file ${file} is empty.`, 'check the projected token volume of the pod.');
          return token;
        });
      }
    }
    throw new UserError(`Unknown auth mode "${String(mode)}".`);
  }

  /** Request headers; reads the service-account file now (it rotates). */
  headers(): Record<string, string> {
    const secret = this.#secret();
    if (!secret) return {};
    return this.mode === 'cookie' ? { cookie: secret } : { authorization: `Bearer ${secret}` };
  }

  /** "a bearer token from KFP_TOKEN" — for messages; never the secret. */
  describe(): string {
    return this.source;
  }

  /** Removes the secret from text that might echo it (server error messages). */
  redact(text: string): string {
    let result = text;
    for (const value of this.#values()) {
      for (const part of [value, ...value.split(';').map((p) => p.split('=').slice(1).join('=').trim())]) {
        if (part.length >= 6) result = result.split(part).join('<redacted>');
      }
    }
    return result;
  }

  toJSON(): { authMode: AuthMode } {
    return { authMode: this.mode };
  }
}

function inferMode(options: AuthOptions, env: NodeJS.ProcessEnv): AuthMode {
  if (options.token) return 'bearer';
  if (options.cookie) return 'cookie';
  if (options.tokenPath) return 'serviceAccount';
  if (env.KFP_TOKEN) return 'bearer';
  if (env.KF_PIPELINES_SA_TOKEN_PATH) return 'serviceAccount';
  return 'none';
}
