import { anomaliesHtml, anomaliesViewModel } from './anomalies-html';
import { statisticsFragment } from './statistics-view';
import type { SplitAnomalies } from './anomalies-view';
import type { Schema } from '../schema/types';
import { viewsCss } from './css';
import { escapeHtml } from './html';
import { schemaHtml, schemaViewModel } from './schema-html';
import type { LabeledStatistics } from './statistics-model';

/**
 * `tfx-ts report`: statistics, schema and anomalies in one self-contained HTML page (styles and
 * charts inline, no script, nothing fetched), readable offline, in a mail, or as a CI artifact.
 * The page follows the reader's light/dark preference unless `theme` pins one.
 */
export interface ReportInput {
  title?: string;
  /** Statistics to show; a second entry (e.g. `--compare`) is drawn beside the first. */
  statistics: LabeledStatistics[];
  schema?: Schema;
  anomalies?: SplitAnomalies[];
  /** Where each part came from (file paths), listed under the title. */
  sources?: string[];
  theme?: 'auto' | 'light' | 'dark';
}

export async function buildReport(input: ReportInput): Promise<string> {
  const title = input.title ?? 'Data validation report';
  const sections: string[] = [];
  if (input.statistics.length > 0) {
    const { html } = await statisticsFragment(input.statistics, { id: 'tfx-ts-report-statistics', tools: false });
    sections.push(section('statistics', 'Statistics', html));
  }
  if (input.schema) sections.push(section('schema', 'Schema', schemaHtml(schemaViewModel(input.schema), { id: 'tfx-ts-report-schema' })));
  if (input.anomalies) {
    sections.push(
      section(
        'anomalies',
        'Anomalies',
        anomaliesHtml(
          input.anomalies.map((a) => anomaliesViewModel(a.anomalies, a.split)),
          { id: 'tfx-ts-report-anomalies' },
        ),
      ),
    );
  }
  const sources = input.sources?.length ? `<p>${input.sources.map(escapeHtml).join(' · ')}</p>` : '';
  const theme = input.theme && input.theme !== 'auto' ? ` data-theme="${input.theme}"` : '';
  return (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    // Nothing may load from elsewhere: the report must read the same offline and years later.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">` +
    `<meta name="color-scheme" content="${input.theme === 'dark' ? 'dark' : input.theme === 'light' ? 'light' : 'light dark'}">` +
    `<title>${escapeHtml(title)}</title><style>${viewsCss()}</style></head>` +
    `<body class="tfx-ts-report"${theme}><header class="tfx-ts-report-header"><h1>${escapeHtml(title)}</h1>${sources}</header>` +
    `${sections.join('')}</body></html>\n`
  );
}

function section(id: string, heading: string, html: string): string {
  return `<section class="tfx-ts-report-section" id="${id}"><h2>${escapeHtml(heading)}</h2>${html}</section>`;
}
