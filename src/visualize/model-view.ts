import * as fs from 'node:fs';
import * as path from 'node:path';
import { withInlineStyles } from './css';
import { escapeHtml, viewElement } from './html';
import type { ArtifactView } from './registry';
import { CURVES_FILE, SERVING_MODEL_SUBDIR, SIGNATURE_FILE } from '../model/format';
import type { ModelSignature } from '../model/bundle';
import type { TrainingCurves } from '../protocol/view-models';
import { trainingBundle } from './training-view';

/** The Model view: the serving signature (raw features in, scores out). */
export const modelView: ArtifactView = async (artifacts, options) => {
  const artifact = artifacts[artifacts.length - 1];
  const file = path.join(artifact.uri, SERVING_MODEL_SUBDIR, SIGNATURE_FILE);
  const signature = JSON.parse(fs.readFileSync(file, 'utf8')) as ModelSignature;
  const inputs = signature.inputs.map((f) => `<tr><td>${escapeHtml(f.name)}</td><td>${f.dtype}</td></tr>`).join('');
  const body =
    `<p class="tfx-ts-muted">${escapeHtml(signature.problem.replace('_', ' '))} · ${signature.modelInputs.length} model inputs · output ${escapeHtml(signature.outputs[0].name)} [${signature.outputs[0].shape.join(', ')}] · tfjs ${escapeHtml(signature.tfjsVersion)}</p>` +
    `<p class="tfx-ts-muted">Bundle: <code>${escapeHtml(path.join(artifact.uri, SERVING_MODEL_SUBDIR))}</code></p>` +
    `<table class="tfx-ts-table"><thead><tr><th>raw feature (serving input)</th><th>type</th></tr></thead><tbody>${inputs}</tbody></table>`;
  const text = `Model (${signature.problem}): inputs ${signature.inputs.map((f) => `${f.name}:${f.dtype}`).join(', ')} → ${signature.outputs[0].name}`;
  return { 'text/html': withInlineStyles(viewElement('model', options.title, body)), 'text/plain': text };
};

/** The ModelRun view: the recorded training curves (the same chart as the live view). */
export const modelRunView: ArtifactView = async (artifacts, options) => {
  const artifact = artifacts[artifacts.length - 1];
  const curves = JSON.parse(fs.readFileSync(path.join(artifact.uri, CURVES_FILE), 'utf8')) as TrainingCurves;
  return trainingBundle(curves, { title: options.title });
};
