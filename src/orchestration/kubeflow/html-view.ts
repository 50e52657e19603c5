import type { Artifact } from '../../dsl/artifact';
import type { OutputsDecl } from '../../dsl/component';
import { escapeHtml, renderArtifacts } from '../../visualize/registry';
import { registerStandardViews } from '../../visualize/standard-views';

/**
 * The notebook's inline views, as a KFP `system.HTML` output artifact the KFP UI shows (its
 * Visualizations tab): the compiler declares the output for every component with an output of a
 * type below, the container entrypoint renders those outputs' views after the executor ran and
 * writes one standalone page at the path KFP's launcher gives. One module, both sides.
 */
export const HTML_VIEW_OUTPUT = 'html_view';
export const HTML_VIEW_ARTIFACT_TYPE = { schemaTitle: 'system.HTML', schemaVersion: '0.0.1' } as const;

/** Artifact types whose view is worth a page in the KFP UI, in the order the page shows them. */
export const HTML_VIEW_TYPES = ['ExampleStatistics', 'Schema', 'ExampleAnomalies', 'TransformGraph', 'ModelRun', 'ModelEvaluation', 'ModelBlessing'];

/** Output keys of a component whose views go into its page (empty: the component gets none). */
export function htmlViewOutputs(outputs: OutputsDecl): string[] {
  return Object.entries(outputs)
    .filter(([, decl]) => HTML_VIEW_TYPES.includes(decl.type.name))
    .sort(([, a], [, b]) => HTML_VIEW_TYPES.indexOf(a.type.name) - HTML_VIEW_TYPES.indexOf(b.type.name))
    .map(([key]) => key);
}

/**
 * One standalone page with the views of the given outputs (the same HTML the notebook shows
 * inline: static, styles inline, no script, nothing fetched). A view that fails is replaced by
 * its error on the page: the task's real outputs must not be lost to a view.
 */
export async function htmlViewPage(componentId: string, outputs: Record<string, Artifact[]>, keys: string[], log: (message: string) => void): Promise<string> {
  registerStandardViews();
  const sections: string[] = [];
  for (const key of keys) {
    const artifacts = outputs[key] ?? [];
    if (artifacts.length === 0) continue;
    try {
      const bundle = await renderArtifacts(artifacts, { title: `${componentId}: ${key}` });
      sections.push(`<section>${String(bundle['text/html'] ?? '')}</section>`);
    } catch (error) {
      log(`the view of ${key} could not be rendered: ${(error as Error).message}`);
      sections.push(
        `<section><h4>${escapeHtml(`${componentId}: ${key}`)}</h4><p>The view could not be rendered: ${escapeHtml((error as Error).message)}</p></section>`,
      );
    }
  }
  return (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    // Nothing loads from elsewhere; the views' own inline scripts (sorting, search) may run where
    // the viewer allows them (the KFP UI's frame does) and the page reads the same without them.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">` +
    `<title>${escapeHtml(componentId)}</title></head><body>${sections.join('\n') || '<p>Nothing to show: the component published no output with a view.</p>'}</body></html>\n`
  );
}
