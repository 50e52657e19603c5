import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../util/errors';
import { writeFileAtomic } from '../util/atomic';

/**
 * The data step of the taxi template: TFX's `tfx template copy` put the Chicago taxi sample
 * (tfx/examples/chicago_taxi_pipeline/data/simple/data.csv) into data/data.csv; here it is a
 * download (or a copy of a file you already have, for machines without internet access).
 */
export interface DatasetSource {
  url: string;
  /** Columns the file must start with, so an HTML error page is never saved as data. */
  header: string[];
  notice: string;
}

export const DATASETS: Record<string, DatasetSource> = {
  taxi: {
    url: 'https://raw.githubusercontent.com/tensorflow/tfx/master/tfx/examples/chicago_taxi_pipeline/data/simple/data.csv',
    header: ['pickup_community_area', 'fare', 'trip_start_month', 'trip_start_hour', 'trip_start_day', 'trip_start_timestamp'],
    notice:
      'Chicago Taxi Trips sample (City of Chicago, www.cityofchicago.org; modified for use by TFX). The City of Chicago makes no claims as to the content, accuracy, timeliness, or completeness of the data; it is used at your own risk.',
  },
};

export interface DownloadOptions {
  /** Directory that receives data.csv. */
  destination: string;
  url?: string;
  /** Copy this local file instead of downloading. */
  from?: string;
  timeoutMs?: number;
}

export async function downloadDataset(name: string, options: DownloadOptions): Promise<{ file: string; bytes: number; rows: number; source: string }> {
  const dataset = DATASETS[name];
  if (!dataset) throw new UserError(`Unknown data set "${name}".`, `use one of: ${Object.keys(DATASETS).join(', ')}.`);
  let text: string;
  let source: string;
  if (options.from) {
    if (!fs.existsSync(options.from))
      throw new UserError(`File ${options.from} does not exist.`, 'pass --from <a copy of the data set>, or leave it out to download.');
    text = fs.readFileSync(options.from, 'utf8');
    source = path.resolve(options.from);
  } else {
    source = options.url ?? dataset.url;
    let response: Response;
    try {
      response = await fetch(source, { signal: AbortSignal.timeout(options.timeoutMs ?? 60_000) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new UserError(
        `Cannot download the ${name} data set from ${source} (${cause}).`,
        'without internet access, copy the file from a machine that has it and pass --from <file>.',
      );
    }
    if (!response.ok)
      throw new UserError(`Downloading the ${name} data set from ${source} failed: HTTP ${response.status}.`, 'check the URL (--url) or pass --from <file>.');
    text = await response.text();
  }
  const header = text.slice(0, text.indexOf('\n')).trim().split(',');
  if (!dataset.header.every((column, i) => header[i] === column)) {
    throw new UserError(
      `${source} is not the ${name} data set: its first line is "${header.slice(0, 6).join(',')}".`,
      `expected a CSV starting with ${dataset.header.join(',')}.`,
    );
  }
  const file = path.join(options.destination, 'data.csv');
  writeFileAtomic(file, text);
  const rows = text.split('\n').filter((line) => line.trim()).length - 1;
  return { file, bytes: Buffer.byteLength(text), rows, source };
}
