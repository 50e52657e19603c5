import type { InteractiveContext } from './interactive-context';

/**
 * The notebook's InteractiveContext, for the JupyterLab bridge: the panel asks the kernel what
 * ran, and the kernel answers from the context the user created last. One per kernel process,
 * as a notebook has one kernel; kept here so neither the context nor the bridge owns a global.
 */
let current: InteractiveContext | undefined;

export function setCurrentInteractiveContext(context: InteractiveContext): void {
  current = context;
}

export function getCurrentInteractiveContext(): InteractiveContext | undefined {
  return current;
}
