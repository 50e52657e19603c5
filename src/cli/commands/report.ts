import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { readSchema } from '../../schema/io';
import { readStatistics, STATS_FILE_NAME } from '../../stats/io';
import type { DatasetFeatureStatisticsList } from '../../stats/types';
import { UserError } from '../../util/errors';
import { readAnomalies } from '../../validation/io';
import { writeFileAtomic } from '../../util/atomic';

interface ReportOptions {
  statistics: string;
  schema?: string;
  anomalies?: string;
  compare?: string;
  output: string;
  title?: string;
  theme: string;
}

const THEMES = ['auto', 'light', 'dark'] as const;

/**
 * `tfx-ts report`: statistics (optionally against a second run), schema and anomalies in one
 * self-contained HTML file.
 */
export function registerReportCommands(program: Command): void {
  program
    .command('report')
    .description('Write statistics, schema and anomalies as one self-contained HTML page (no network needed to view it)')
    .requiredOption('--statistics <file>', 'statistics JSON (tfx-ts stats, StatisticsGen) or an ExampleStatistics directory with Split-* folders')
    .option('--schema <file>', 'schema.pbtxt or schema JSON to show')
    .option('--anomalies <file>', 'anomalies JSON (tfx-ts validate, ExampleValidator) to show')
    .option('--compare <file>', 'statistics of another run to draw beside --statistics')
    .requiredOption('-o, --output <file>', 'the HTML file to write')
    .option('--title <text>', 'page title', 'Data validation report')
    .option('--theme <theme>', `colours: ${THEMES.join(', ')} (auto follows the reader's setting)`, 'auto')
    .action(async (options: ReportOptions) => {
      if (!(THEMES as readonly string[]).includes(options.theme)) {
        throw new UserError(`--theme "${options.theme}" is not a theme.`, `use one of: ${THEMES.join(', ')}.`);
      }
      if (!/\.html?$/i.test(options.output)) {
        throw new UserError(`--output ${options.output} does not end in .html.`, 'name the report file e.g. report.html.');
      }
      const statistics = [{ statistics: readStatisticsInput(options.statistics, '--statistics'), label: runLabel(options.statistics) }];
      if (options.compare) {
        const label = runLabel(options.compare);
        statistics.push({ statistics: readStatisticsInput(options.compare, '--compare'), label: label === statistics[0].label ? 'compared' : label });
      }
      const schema = options.schema ? readSchema(requireFile(options.schema, '--schema')) : undefined;
      const anomalies = options.anomalies ? [{ anomalies: readAnomalies(requireFile(options.anomalies, '--anomalies')) }] : undefined;
      // Vega loads only when a report is built, not on every CLI start.
      const { buildReport } = await import('../../visualize/report');
      const html = await buildReport({
        title: options.title,
        statistics,
        schema,
        anomalies,
        sources: [options.statistics, options.compare, options.schema, options.anomalies].filter((s): s is string => Boolean(s)),
        theme: options.theme as (typeof THEMES)[number],
      });
      const output = path.resolve(options.output);
      writeFileAtomic(output, html);
      console.log(`Wrote ${output} (${Math.round(Buffer.byteLength(html) / 1024)} KB)`);
    });
}

function requireFile(file: string, flag: string): string {
  if (!fs.existsSync(file)) throw new UserError(`${flag} ${file} does not exist.`, `pass an existing file to ${flag}.`);
  if (fs.statSync(file).isDirectory()) throw new UserError(`${flag} ${file} is a directory.`, `pass the file itself to ${flag}.`);
  return file;
}

/** A statistics JSON file, or an ExampleStatistics artifact directory (one dataset per Split-<name>). */
function readStatisticsInput(input: string, flag: string): DatasetFeatureStatisticsList {
  if (!fs.existsSync(input)) throw new UserError(`${flag} ${input} does not exist.`, 'create statistics with `tfx-ts stats <data> -o stats.json`.');
  if (!fs.statSync(input).isDirectory()) return readStatistics(input);
  const splits = fs
    .readdirSync(input)
    .filter((name) => name.startsWith('Split-') && fs.existsSync(path.join(input, name, STATS_FILE_NAME)))
    .sort();
  if (splits.length === 0) {
    throw new UserError(
      `${flag} ${input} is a directory without Split-<name>/${STATS_FILE_NAME}.`,
      'pass a statistics JSON file, or the uri of an ExampleStatistics artifact.',
    );
  }
  return {
    datasets: splits.flatMap((split) =>
      readStatistics(path.join(input, split, STATS_FILE_NAME)).datasets.map((d) => ({ ...d, name: split.slice('Split-'.length) })),
    ),
  };
}

/** Names a run by its file (used only when two runs have datasets of the same name). */
function runLabel(file: string): string {
  const base = path.basename(file.replace(/\/+$/, '')).replace(/\.json$/i, '');
  return base === 'FeatureStats' ? path.basename(path.dirname(path.dirname(path.resolve(file)))) : base;
}
