/**
 * The stock runtime image every compiled task runs in (docker/Dockerfile, built from this
 * package's `npm pack` tarball): `<registry>/tfx-ts-runtime:<version>`. The registry is where the
 * user pushed it (TFX_TS_IMAGE_REGISTRY); docs/kubeflow.md has the build and push commands.
 */
export const RUNTIME_IMAGE_NAME = 'tfx-ts-runtime';
export const DEFAULT_IMAGE_REGISTRY = 'ghcr.io/tfx-ts';
export const PACKAGE_VERSION = (require('../../../package.json') as { version: string }).version;

export function runtimeImage(registry = process.env.TFX_TS_IMAGE_REGISTRY || DEFAULT_IMAGE_REGISTRY): string {
  return `${registry.replace(/\/+$/, '')}/${RUNTIME_IMAGE_NAME}:${PACKAGE_VERSION}`;
}
