import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The views' stylesheet (style/views.css, shared with the JupyterLab extension), inlined into
 * every static HTML fallback: notebook outputs and report files must not depend on any file or URL.
 */
const STYLESHEET = path.resolve(__dirname, '..', '..', 'style', 'views.css');

let cached: string | undefined;

export function viewsCss(): string {
  if (cached === undefined) {
    let text: string;
    try {
      text = fs.readFileSync(STYLESHEET, 'utf8');
    } catch (error) {
      throw new Error(`The views' stylesheet ${STYLESHEET} is missing (${(error as Error).message}); reinstall tfx-ts, the package ships style/.`, {
        cause: error,
      });
    }
    cached = minifyCss(text);
  }
  return cached;
}

/** Comments and layout whitespace only; the rules stay as written. */
export function minifyCss(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{};,>~])\s*/g, '$1')
    .replace(/;}/g, '}')
    .trim();
}

/** A view fragment that carries its own styles (a notebook output is rendered on its own). */
export function withInlineStyles(fragment: string): string {
  return `<style>${viewsCss()}</style>${fragment}`;
}

const viewSheets = new Map<string, string>();

/**
 * A view's own stylesheet (style/<name>.css), for rules only that view uses: it is inlined where
 * that view is shown, so other views' outputs do not carry it.
 */
export function viewStylesheet(name: string): string {
  let text = viewSheets.get(name);
  if (text === undefined) {
    const file = path.resolve(__dirname, '..', '..', 'style', `${name}.css`);
    try {
      text = minifyCss(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`The stylesheet ${file} is missing (${(error as Error).message}); reinstall tfx-ts, the package ships style/.`, { cause: error });
    }
    viewSheets.set(name, text);
  }
  return text;
}
