/**
 * Names as KFP wants them. The KFP SDK turns every task and component name into a Kubernetes
 * name (lowercase letters, digits and "-"); we do the same, but split TFX's CamelCase ids into words
 * first so `CsvExampleGen` becomes the readable `csv-example-gen` rather than `csvexamplegen`.
 */

/** A task / component name the KFP backend accepts (a DNS-1123 label). */
export const KFP_TASK_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** The KFP SDK's rule for pipelineInfo.name. */
export const KFP_PIPELINE_NAME = /^[a-z0-9][a-z0-9-]{0,127}$/;

export function kfpName(id: string): string {
  const words = id
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return (words || 'task').slice(0, 63).replace(/-+$/, '');
}

/** pipelineInfo.name: lowercase, "_" and other separators become "-" (TFX templates use my_pipeline). */
export function kfpPipelineName(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 128) || 'pipeline'
  );
}

/** Unique task names for component ids, suffixing -2, -3 on clashes as the KFP SDK does. */
export function uniqueTaskNames(ids: string[]): Map<string, string> {
  const taken = new Set<string>();
  const result = new Map<string, string>();
  for (const id of ids) {
    const base = kfpName(id);
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base.slice(0, 60)}-${n}`;
    taken.add(name);
    result.set(id, name);
  }
  return result;
}

export const componentKey = (taskName: string): string => `comp-${taskName}`;
export const executorLabel = (taskName: string): string => `exec-${taskName}`;
