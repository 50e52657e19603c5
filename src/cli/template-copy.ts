import * as fs from 'node:fs';
import * as path from 'node:path';
import { validatePipelineName } from '../dsl/pipeline';
import { writeDirectoryAtomic } from '../util/atomic';
import { UserError } from '../util/errors';

/** The package root: templates/ and the notebooks whose module files templates include. */
const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

/** Project templates shipped with tfx-ts (templates/<model>/), as TFX's `tfx template copy`. */
export const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');

/** A template's template.json: folders of the package to copy into the project, so one set of module files serves notebook and template. */
interface TemplateManifest {
  include?: Record<string, string>;
}

export function listTemplates(): string[] {
  if (!fs.existsSync(TEMPLATES_DIR)) return [];
  return fs
    .readdirSync(TEMPLATES_DIR)
    .filter((name) => fs.statSync(path.join(TEMPLATES_DIR, name)).isDirectory())
    .sort();
}

export interface CopyTemplateOptions {
  model: string;
  pipelineName: string;
  destination: string;
}

/**
 * Copies templates/<model> to the destination, filling in the pipeline name. Refuses to write into
 * a non-empty directory, so a second copy never overwrites a user's edits.
 */
export function copyTemplate(options: CopyTemplateOptions): string[] {
  const models = listTemplates();
  if (!models.includes(options.model)) throw new UserError(`There is no "${options.model}" template.`, `use --model ${models.join(' or ')}.`);
  validatePipelineName(options.pipelineName);
  const destination = path.resolve(options.destination);
  if (fs.existsSync(destination) && fs.readdirSync(destination).length > 0) {
    throw new UserError(`Destination ${destination} is not empty.`, 'pass --destination-path <a new or empty directory>.');
  }
  const version = (require('../../package.json') as { version: string }).version;
  const replacements: Record<string, string> = {
    '{{PIPELINE_NAME}}': options.pipelineName,
    '{{PACKAGE_NAME}}': options.pipelineName
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, ''),
    '{{TFX_TS_VERSION}}': version,
  };
  const source = path.join(TEMPLATES_DIR, options.model);
  const manifestFile = path.join(source, 'template.json');
  const manifest = (fs.existsSync(manifestFile) ? JSON.parse(fs.readFileSync(manifestFile, 'utf8')) : {}) as TemplateManifest;
  const written: string[] = [];
  // The project appears whole or not at all: files go to a temporary sibling that is renamed into place.
  if (fs.existsSync(destination)) fs.rmdirSync(destination);
  writeDirectoryAtomic(destination, (tmp) => {
    const copyFile = (from: string, relative: string) => {
      // npm drops .gitignore files from published packages, so the template ships it as `gitignore`.
      const name = path.basename(relative) === 'gitignore' ? path.join(path.dirname(relative), '.gitignore') : relative;
      const to = path.join(tmp, name);
      fs.mkdirSync(path.dirname(to), { recursive: true });
      let text = fs.readFileSync(from, 'utf8');
      for (const [placeholder, value] of Object.entries(replacements)) text = text.split(placeholder).join(value);
      fs.writeFileSync(to, text);
      written.push(path.normalize(name).split(path.sep).join('/'));
    };
    const copyTree = (root: string, into: string) => {
      for (const entry of fs.readdirSync(root).sort()) {
        const from = path.join(root, entry);
        if (root === source && entry === 'template.json') continue;
        if (fs.statSync(from).isDirectory()) copyTree(from, path.join(into, entry));
        else copyFile(from, path.join(into, entry));
      }
    };
    copyTree(source, '.');
    for (const [into, from] of Object.entries(manifest.include ?? {})) copyTree(path.join(PACKAGE_ROOT, from), into);
  });
  return written;
}
