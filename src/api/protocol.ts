/** `tfx-ts/protocol`: the kernel↔JupyterLab contract (browser-safe; the lab extension bundles it). */
export * from '../protocol/index';
