import { randomBytes } from 'node:crypto';
import type { MimeBundle } from '../visualize/registry';

/**
 * Sends MIME bundles to the notebook when running inside a tslab kernel. tslab's public `display`
 * emits one MIME type per call; its kernel-side writer takes a whole bundle, which lets a view
 * carry a rich MIME type for JupyterLab plus a static text/html fallback for nbconvert and GitHub.
 */
type Writer = (data: { data: MimeBundle; metadata: object; transient: { display_id?: string } }, update: boolean) => void;

function tslabWriter(): Writer | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jupyter = require('tslab/dist/jupyter') as { lastWriteDisplayData?: Writer };
    return jupyter.lastWriteDisplayData ?? undefined;
  } catch {
    return undefined;
  }
}

export function inNotebook(): boolean {
  return tslabWriter() !== undefined;
}

/** Shows a bundle; returns true when a notebook took it. */
export function displayBundle(bundle: MimeBundle): boolean {
  const write = tslabWriter();
  if (!write) return false;
  write({ data: bundle, metadata: {}, transient: {} }, false);
  return true;
}

/** A display that can be replaced in place (live progress, training curves). */
export class LiveDisplay {
  private readonly id = randomBytes(8).toString('hex');
  private shown = false;

  update(bundle: MimeBundle): boolean {
    const write = tslabWriter();
    if (!write) return false;
    write({ data: bundle, metadata: {}, transient: { display_id: this.id } }, this.shown);
    this.shown = true;
    return true;
  }
}
