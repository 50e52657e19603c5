import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../util/errors';

/**
 * `tfx-ts serve`: TF Serving's REST API for pushed models; `tfx-ts predict`: the same prediction
 * locally from a bundle and a JSON file (seed 002's "export, then predict from JSON").
 */
export function registerServingCommands(program: Command): void {
  program
    .command('serve')
    .description('Serve pushed models over the TF Serving REST API (/v1/models/<name>[:predict|/metadata])')
    .requiredOption('--model-base-path <dir>', "the Pusher's baseDirectory (holding <name>/<version>/), or a directory of version directories")
    .requiredOption('--model-name <name>', 'the model to serve (URL name and directory under the base path)')
    .option('--port <port>', 'REST API port (TF Serving: --rest_api_port)', '8501')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--poll-seconds <seconds>', 'how often to look for a newly pushed version', '1')
    .option('--max-body-bytes <bytes>', 'largest accepted request body (larger Content-Length: 413, body not read)', String(10 * 1024 * 1024))
    .option('--body-timeout-seconds <seconds>', 'time a client has to send its whole body (408 after)', '30')
    .option('--max-connections <n>', 'open connections at most (more are closed on accept)', '512')
    .action(
      async (flags: {
        modelBasePath: string;
        modelName: string;
        port: string;
        host: string;
        pollSeconds: string;
        maxBodyBytes: string;
        bodyTimeoutSeconds: string;
        maxConnections: string;
      }) => {
        const port = integerFlag('--port', flags.port, 0, 65535);
        const poll = Number(flags.pollSeconds);
        if (!(poll > 0)) throw new UserError(`--poll-seconds must be a positive number, got "${flags.pollSeconds}".`);
        const maxBodyBytes = integerFlag('--max-body-bytes', flags.maxBodyBytes, 1, Number.MAX_SAFE_INTEGER);
        const bodyTimeout = Number(flags.bodyTimeoutSeconds);
        if (!(bodyTimeout > 0)) throw new UserError(`--body-timeout-seconds must be a positive number, got "${flags.bodyTimeoutSeconds}".`);
        const maxConnections = integerFlag('--max-connections', flags.maxConnections, 1, 1_000_000);
        const { startModelServer } = await import('../../serving/server');
        const server = await startModelServer({
          modelBasePath: flags.modelBasePath,
          modelName: flags.modelName,
          port,
          host: flags.host,
          pollIntervalMs: poll * 1000,
          maxBodyBytes,
          bodyTimeoutMs: bodyTimeout * 1000,
          maxConnections,
          log: (message) => console.log(`[${flags.modelName}] ${message}`),
        });
        const current = server.repository.current;
        console.log(
          `Serving model "${flags.modelName}" from ${server.repository.modelDir} at ${server.url}/v1/models/${flags.modelName} (${current ? `version ${current.version}` : 'no version yet; waiting for one to be pushed'})`,
        );
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            void server.stop().then(resolve);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
      },
    );

  program
    .command('predict')
    .description('Predict locally with a model bundle from a JSON request ({"instances": [...]}, {"inputs": {...}} or a list of instances)')
    .requiredOption('--model <dir>', 'a model bundle (Trainer …/Format-Serving or a pushed <base>/<name>/<version>), or <base>/<name> for its latest version')
    .requiredOption('--json <file>', 'the request file')
    .action(async (flags: { model: string; json: string }) => {
      const file = path.resolve(flags.json);
      if (!fs.existsSync(file))
        throw new UserError(`Request file ${file} does not exist.`, 'write the instances as JSON, e.g. {"instances": [{"fare": 7.5, ...}]}.');
      let json: unknown;
      try {
        json = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (error) {
        throw new UserError(`${file} is not valid JSON: ${(error as Error).message}.`);
      }
      const { predictFromJson } = await import('../../serving/predict');
      console.log(JSON.stringify(await predictFromJson(flags.model, json)));
    });
}

function integerFlag(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UserError(`${name} must be an integer from ${min} to ${max}, got "${value}".`);
  return n;
}
