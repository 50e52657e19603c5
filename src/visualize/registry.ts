import type { Artifact } from '../dsl/artifact';

/** One display: MIME type → content (tslab/Jupyter display_data `data`). Always holds text/html as the static fallback. */
export type MimeBundle = Record<string, unknown>;

export type ArtifactView = (artifacts: Artifact[], options: ViewOptions) => Promise<MimeBundle>;

export interface ViewOptions {
  /** Title shown above the view, e.g. the component id. */
  title?: string;
  /** Extra artifacts to compare with, e.g. statistics of another run. */
  compareWith?: Artifact[];
  [key: string]: unknown;
}

const views = new Map<string, ArtifactView>();

/** Views register per artifact type name (a view renders an artifact; it never computes statistics). */
export function registerView(artifactTypeName: string, view: ArtifactView): void {
  views.set(artifactTypeName, view);
}

export function hasView(artifactTypeName: string): boolean {
  return views.has(artifactTypeName);
}

export async function renderArtifacts(artifacts: Artifact[], options: ViewOptions = {}): Promise<MimeBundle> {
  if (artifacts.length === 0) throw new Error('Nothing to show: the channel has no artifacts yet. Run the component that produces it first.');
  const typeName = artifacts[0].type.name;
  const view = views.get(typeName);
  if (!view) return genericView(artifacts, options);
  return view(artifacts, options);
}

function genericView(artifacts: Artifact[], options: ViewOptions): MimeBundle {
  const rows = artifacts
    .map(
      (a) =>
        `<tr><td>${a.id ?? ''}</td><td>${escapeHtml(a.type.name)}</td><td><code>${escapeHtml(a.uri)}</code></td><td><code>${escapeHtml(JSON.stringify({ ...a.properties, ...a.customProperties }))}</code></td></tr>`,
    )
    .join('');
  const html = `<div class="tfx-ts-view"><h4>${escapeHtml(options.title ?? artifacts[0].type.name)}</h4><table class="tfx-ts-table"><thead><tr><th>id</th><th>type</th><th>uri</th><th>properties</th></tr></thead><tbody>${rows}</tbody></table></div>`;
  return { 'text/html': html, 'text/plain': artifacts.map((a) => `${a.type.name} ${a.uri}`).join('\n') };
}

export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
