import { UserError } from '../util/errors';

/**
 * TFMA's metrics over (label, prediction) pairs of one slice. Binary metrics take P(label = 1)
 * scores; a prediction above the threshold counts as positive (Keras/TFMA's rule). AUC and
 * AUC-PR are exact (every distinct score is a threshold) rather than TFMA's 10,000-bucket
 * approximation, so they can differ from TFMA in the 4th decimal.
 */
export type MetricValue = number | ConfusionMatrixRow[];

export interface ConfusionMatrixRow {
  threshold: number;
  truePositives: number;
  falsePositives: number;
  trueNegatives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
}

export interface CurvePoint {
  threshold: number;
  x: number;
  y: number;
}
export interface CalibrationBucket {
  lower: number;
  upper: number;
  count: number;
  meanPrediction: number;
  meanLabel: number;
}

export interface BinaryPlots {
  /** x = false positive rate, y = true positive rate. */
  roc: CurvePoint[];
  /** x = recall, y = precision. */
  pr: CurvePoint[];
  calibration: CalibrationBucket[];
}

export interface MetricRequest {
  name: string;
  config?: { threshold?: number; thresholds?: number[] };
}

export function checkBinaryLabels(labels: ArrayLike<number>, labelKey: string): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (v !== 0 && v !== 1) {
      throw new UserError(
        `Label "${labelKey}" has the value ${Number.isNaN(v) ? 'missing' : v} (example ${i}); binary classification metrics need labels 0 or 1.`,
        'point labelKey at the 0/1 label (e.g. the transformed tips_xf), or fill missing labels in preprocessingFn.',
      );
    }
  }
}

/** Examples sorted by descending score, with cumulative true/false positives at each distinct score. */
function sortedCounts(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  rows: ArrayLike<number>,
): { thresholds: number[]; tp: number[]; fp: number[]; positives: number; negatives: number } {
  const order = Array.from(rows).sort((a, b) => scores[b] - scores[a]);
  const thresholds: number[] = [];
  const tp: number[] = [];
  const fp: number[] = [];
  let t = 0;
  let f = 0;
  for (let i = 0; i < order.length; i++) {
    const row = order[i];
    if (labels[row] === 1) t++;
    else f++;
    if (i === order.length - 1 || scores[order[i + 1]] !== scores[row]) {
      thresholds.push(scores[row]);
      tp.push(t);
      fp.push(f);
    }
  }
  return { thresholds, tp, fp, positives: t, negatives: f };
}

function trapezoid(xs: number[], ys: number[]): number {
  let area = 0;
  for (let i = 1; i < xs.length; i++) area += ((xs[i] - xs[i - 1]) * (ys[i] + ys[i - 1])) / 2;
  return area;
}

const safeDiv = (a: number, b: number) => (b === 0 ? 0 : a / b);

/**
 * PR-AUC as TFMA (and Keras' AUC with summation_method "careful_interpolation") computes it: between
 * two thresholds precision is interpolated along the line of true positives against predicted
 * positives (Davis & Goadrich 2006), not linearly, and the pieces are integrated in closed form.
 * Points are the cumulative counts at each distinct score, highest score first, starting from
 * "nothing predicted".
 */
function carefulPrAuc(tp: readonly number[], fp: readonly number[], positives: number): number {
  let area = 0;
  let tpA = 0;
  let pA = 0;
  for (let i = 0; i < tp.length; i++) {
    const tpB = tp[i];
    const pB = tp[i] + fp[i];
    const dtp = tpB - tpA;
    const dp = pB - pA;
    if (dp > 0) {
      const slope = dtp / dp;
      const intercept = tpA - slope * pA;
      const ratio = pA > 0 ? pB / pA : 1;
      const increment = (slope * (dtp + intercept * Math.log(ratio))) / positives;
      if (Number.isFinite(increment)) area += increment;
    }
    tpA = tpB;
    pA = pB;
  }
  return area;
}

export function binaryMetrics(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  rows: ArrayLike<number>,
  requests: MetricRequest[],
): Record<string, MetricValue> {
  const out: Record<string, MetricValue> = {};
  const n = rows.length;
  const counts = () => sortedCounts(labels, scores, rows);
  let sorted: ReturnType<typeof sortedCounts> | undefined;
  const atThreshold = (threshold: number) => {
    let tp = 0,
      fp = 0,
      tn = 0,
      fn = 0;
    for (let i = 0; i < n; i++) {
      const row = rows[i];
      const positive = scores[row] > threshold;
      if (labels[row] === 1) {
        if (positive) tp++;
        else fn++;
      } else if (positive) fp++;
      else tn++;
    }
    return { tp, fp, tn, fn };
  };
  for (const request of requests) {
    switch (request.name) {
      case 'example_count':
        out.example_count = n;
        break;
      case 'binary_accuracy': {
        const c = atThreshold(request.config?.threshold ?? 0.5);
        out.binary_accuracy = safeDiv(c.tp + c.tn, n);
        break;
      }
      case 'precision': {
        const c = atThreshold(request.config?.threshold ?? 0.5);
        out.precision = safeDiv(c.tp, c.tp + c.fp);
        break;
      }
      case 'recall': {
        const c = atThreshold(request.config?.threshold ?? 0.5);
        out.recall = safeDiv(c.tp, c.tp + c.fn);
        break;
      }
      case 'auc': {
        sorted ??= counts();
        const fpr = [0, ...sorted.fp.map((f) => safeDiv(f, sorted!.negatives))];
        const tpr = [0, ...sorted.tp.map((t) => safeDiv(t, sorted!.positives))];
        out.auc = sorted.positives === 0 || sorted.negatives === 0 ? NaN : trapezoid(fpr, tpr);
        break;
      }
      case 'auc_precision_recall': {
        sorted ??= counts();
        out.auc_precision_recall = sorted.positives === 0 ? NaN : carefulPrAuc(sorted.tp, sorted.fp, sorted.positives);
        break;
      }
      case 'mean_label':
        out.mean_label = mean(rows, (r) => labels[r]);
        break;
      case 'mean_prediction':
        out.mean_prediction = mean(rows, (r) => scores[r]);
        break;
      case 'calibration':
        out.calibration = safeDiv(
          mean(rows, (r) => scores[r]),
          mean(rows, (r) => labels[r]),
        );
        break;
      case 'binary_crossentropy': {
        const eps = 1e-7;
        out.binary_crossentropy = mean(rows, (r) => {
          const p = Math.min(1 - eps, Math.max(eps, scores[r]));
          return -(labels[r] * Math.log(p) + (1 - labels[r]) * Math.log(1 - p));
        });
        break;
      }
      case 'confusion_matrix_at_thresholds':
        out.confusion_matrix_at_thresholds = (request.config?.thresholds ?? [0.25, 0.5, 0.75]).map((threshold) => {
          const c = atThreshold(threshold);
          return {
            threshold,
            truePositives: c.tp,
            falsePositives: c.fp,
            trueNegatives: c.tn,
            falseNegatives: c.fn,
            precision: safeDiv(c.tp, c.tp + c.fp),
            recall: safeDiv(c.tp, c.tp + c.fn),
          };
        });
        break;
      case 'calibration_plot':
      case 'confusion_matrix_plot':
        break;
      default:
        throw new UserError(
          `Metric ${request.name} does not apply to a binary classifier.`,
          'use binary metrics (BinaryAccuracy, AUC, Precision, Recall, ...).',
        );
    }
  }
  return out;
}

/** ROC and PR curves (at most ~200 points each) and a 10-bucket calibration plot. */
export function binaryPlots(labels: ArrayLike<number>, scores: ArrayLike<number>, rows: ArrayLike<number>): BinaryPlots {
  const s = sortedCounts(labels, scores, rows);
  const stride = Math.max(1, Math.ceil(s.thresholds.length / 200));
  const roc: CurvePoint[] = [{ threshold: 1, x: 0, y: 0 }];
  const pr: CurvePoint[] = [];
  for (let i = 0; i < s.thresholds.length; i++) {
    if (i % stride !== 0 && i !== s.thresholds.length - 1) continue;
    roc.push({ threshold: s.thresholds[i], x: safeDiv(s.fp[i], s.negatives), y: safeDiv(s.tp[i], s.positives) });
    pr.push({ threshold: s.thresholds[i], x: safeDiv(s.tp[i], s.positives), y: safeDiv(s.tp[i], s.tp[i] + s.fp[i]) });
  }
  const buckets = Array.from({ length: 10 }, (_, i) => ({ lower: i / 10, upper: (i + 1) / 10, count: 0, sumPrediction: 0, sumLabel: 0 }));
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const b = buckets[Math.min(9, Math.max(0, Math.floor(scores[row] * 10)))];
    b.count++;
    b.sumPrediction += scores[row];
    b.sumLabel += labels[row];
  }
  const calibration = buckets.map((b) => ({
    lower: b.lower,
    upper: b.upper,
    count: b.count,
    meanPrediction: safeDiv(b.sumPrediction, b.count),
    meanLabel: safeDiv(b.sumLabel, b.count),
  }));
  return { roc, pr, calibration };
}

export function multiclassMetrics(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  width: number,
  rows: ArrayLike<number>,
  requests: MetricRequest[],
): Record<string, MetricValue> {
  const out: Record<string, MetricValue> = {};
  for (const request of requests) {
    if (request.name === 'example_count') out.example_count = rows.length;
    else if (request.name === 'sparse_categorical_accuracy') {
      let correct = 0;
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i];
        let best = 0;
        for (let k = 1; k < width; k++) if (scores[row * width + k] > scores[row * width + best]) best = k;
        if (best === labels[row]) correct++;
      }
      out.sparse_categorical_accuracy = safeDiv(correct, rows.length);
    } else if (request.name === 'calibration_plot' || request.name === 'confusion_matrix_plot') continue;
    else throw new UserError(`Metric ${request.name} does not apply to a multiclass classifier.`, 'use ExampleCount and SparseCategoricalAccuracy.');
  }
  return out;
}

export function regressionMetrics(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  rows: ArrayLike<number>,
  requests: MetricRequest[],
): Record<string, MetricValue> {
  const out: Record<string, MetricValue> = {};
  for (const request of requests) {
    switch (request.name) {
      case 'example_count':
        out.example_count = rows.length;
        break;
      case 'mean_squared_error':
        out.mean_squared_error = mean(rows, (r) => (scores[r] - labels[r]) ** 2);
        break;
      case 'mean_absolute_error':
        out.mean_absolute_error = mean(rows, (r) => Math.abs(scores[r] - labels[r]));
        break;
      case 'mean_label':
        out.mean_label = mean(rows, (r) => labels[r]);
        break;
      case 'mean_prediction':
        out.mean_prediction = mean(rows, (r) => scores[r]);
        break;
      case 'calibration_plot':
      case 'confusion_matrix_plot':
        break;
      default:
        throw new UserError(
          `Metric ${request.name} does not apply to a regression model.`,
          'use ExampleCount, MeanSquaredError, MeanAbsoluteError, MeanLabel, MeanPrediction.',
        );
    }
  }
  return out;
}

function mean(rows: ArrayLike<number>, value: (row: number) => number): number {
  if (rows.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < rows.length; i++) sum += value(rows[i]);
  return sum / rows.length;
}

/**
 * Why a binary metric has no value on a slice (a table shows "–" with this as its tooltip, not a
 * bare blank): AUC needs both classes, AUC-PR and recall need a positive example.
 */
export function binaryMetricNotes(labels: ArrayLike<number>, rows: ArrayLike<number>, values: Record<string, MetricValue>): Record<string, string> {
  let positives = 0;
  for (let i = 0; i < rows.length; i++) if (labels[rows[i]] === 1) positives++;
  const negatives = rows.length - positives;
  const n = `${rows.length} example${rows.length === 1 ? '' : 's'}`;
  const classes = positives === 0 ? `all ${n} negative` : negatives === 0 ? `all ${n} positive` : `${positives} positive, ${negatives} negative`;
  const notes: Record<string, string> = {};
  const missing = (name: string) => name in values && typeof values[name] === 'number' && !Number.isFinite(values[name]);
  if (missing('auc')) notes.auc = `AUC is undefined: it needs positive and negative examples, and this slice has ${classes}`;
  if (missing('auc_precision_recall')) notes.auc_precision_recall = `AUC-PR is undefined: it needs a positive example, and this slice has ${classes}`;
  return notes;
}
