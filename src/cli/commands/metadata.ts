import * as fs from 'node:fs';
import type { Command } from 'commander';
import { MetadataStore } from '../../metadata/store';
import { UserError } from '../../util/errors';

/** `tfx-ts lineage <artifact-id>`: executions and artifacts upstream of an artifact. */
export function registerMetadataCommands(program: Command): void {
  program
    .command('lineage')
    .description('List the executions and artifacts upstream of an artifact')
    .argument('<artifact-id>', 'artifact id in the metadata store')
    .requiredOption('--metadata <file>', 'the SQLite metadata store (e.g. <pipelineRoot>/metadata.sqlite)')
    .option('--json', 'print the lineage graph as JSON')
    .action((idText: string, options: { metadata: string; json?: boolean }) => {
      const id = Number(idText);
      if (!Number.isInteger(id) || id <= 0)
        throw new UserError(
          `Artifact id "${idText}" is not a positive integer.`,
          'pass the number shown as the artifact id, e.g. tfx-ts lineage 3 --metadata ...',
        );
      if (!fs.existsSync(options.metadata))
        throw new UserError(`Metadata store ${options.metadata} does not exist.`, 'pass --metadata <pipelineRoot>/metadata.sqlite of a pipeline that ran.');
      // Lineage only reads: a read-only store (or one on a read-only file system) is fine.
      const store = new MetadataStore(options.metadata, { readonly: true });
      try {
        const graph = store.lineage(id);
        if (options.json) {
          console.log(JSON.stringify({ artifacts: graph.artifacts.map((a) => a.toJSON()), executions: graph.executions, events: graph.events }, null, 2));
          return;
        }
        console.log(`Lineage of artifact ${id}:`);
        for (const execution of [...graph.executions].reverse()) {
          const inputs = graph.events.filter((e) => e.executionId === execution.id && e.type === 'INPUT').map((e) => `${e.key}=#${e.artifactId}`);
          const outputs = graph.events.filter((e) => e.executionId === execution.id && e.type === 'OUTPUT').map((e) => `${e.key}=#${e.artifactId}`);
          console.log(
            `  execution ${execution.id} ${execution.componentId} (${execution.type}) ${execution.state}  in: ${inputs.join(', ') || '-'}  out: ${outputs.join(', ')}`,
          );
        }
        for (const artifact of graph.artifacts) console.log(`  artifact #${artifact.id} ${artifact.type.name} ${artifact.uri}`);
      } finally {
        store.close();
      }
    });
}
