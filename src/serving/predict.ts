import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../util/errors';
import { RawInputError } from '../transform/apply';
import { MODEL_JSON } from '../model/format';
import { ModelBundle } from '../model/bundle';
import { versionsIn } from './repository';
import { parsePredictRequest, predictResponse, requestFromFile, ServingError } from './rest';

/** A bundle directory, or the newest version under a pushed model directory. */
export function bundleDir(model: string): string {
  const dir = path.resolve(model);
  if (fs.existsSync(path.join(dir, MODEL_JSON))) return dir;
  const versions = versionsIn(dir);
  if (versions.length > 0) return path.join(dir, String(versions[versions.length - 1]));
  throw new UserError(
    `${dir} is neither a model bundle nor a directory of pushed versions.`,
    'pass a Trainer model (…/Format-Serving) or a pushed model directory (<base>/<name>).',
  );
}

/** `tfx-ts predict`: the TF Serving response for a request body, computed locally (same validation as the server). */
export async function predictFromJson(model: string, json: unknown): Promise<Record<string, unknown>> {
  const bundle = await ModelBundle.load(bundleDir(model));
  try {
    const request = parsePredictRequest(requestFromFile(json), bundle.signature);
    return predictResponse(request.format, bundle.predict(request.rows));
  } catch (error) {
    if (error instanceof ServingError || error instanceof RawInputError) throw new UserError(`Invalid request: ${error.message}`);
    throw error;
  } finally {
    bundle.dispose();
  }
}
