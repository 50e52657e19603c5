import type { MetricThreshold, NormalizedEvalConfig } from './eval-config';
import { METRIC_NAMES } from './eval-config';
import type { MetricValue } from './metrics';

/**
 * TFMA's metrics validation: value thresholds bound a metric, change thresholds bound the
 * difference to the baseline (candidate − baseline, and that difference / baseline) in the given
 * direction. Without a baseline (the first run) change thresholds are skipped, as in TFX.
 * Thresholds are checked on the Overall slice.
 */
export interface ThresholdCheck {
  metric: string;
  kind: 'value' | 'change';
  threshold: MetricThreshold;
  value?: number;
  baselineValue?: number;
  ok: boolean;
  skipped?: boolean;
  message: string;
}

export interface ValidationResult {
  ok: boolean;
  checks: ThresholdCheck[];
  failures: ThresholdCheck[];
  skipped: ThresholdCheck[];
}

/** metric name → thresholds declared for it (inline on the metric or in the spec's `thresholds`). */
export function declaredThresholds(config: NormalizedEvalConfig): [string, MetricThreshold][] {
  const out: [string, MetricThreshold][] = [];
  for (const spec of config.metricsSpecs) {
    for (const metric of spec.metrics) {
      if (metric.threshold) out.push([METRIC_NAMES[metric.className as keyof typeof METRIC_NAMES], metric.threshold]);
    }
    for (const [name, threshold] of Object.entries(spec.thresholds ?? {})) out.push([name, threshold]);
  }
  return out;
}

export function validateMetrics(
  config: NormalizedEvalConfig,
  candidate: Record<string, MetricValue>,
  baseline: Record<string, MetricValue> | undefined,
): ValidationResult {
  const checks: ThresholdCheck[] = [];
  for (const [metric, threshold] of declaredThresholds(config)) {
    const value = candidate[metric];
    if (typeof value !== 'number') {
      checks.push({
        metric,
        kind: threshold.valueThreshold ? 'value' : 'change',
        threshold,
        ok: false,
        message: `${metric} was not computed, so its threshold cannot be checked; add it to metricsSpecs.metrics.`,
      });
      continue;
    }
    if (threshold.valueThreshold) {
      const { lowerBound, upperBound } = threshold.valueThreshold;
      const ok = !Number.isNaN(value) && (lowerBound === undefined || value >= lowerBound) && (upperBound === undefined || value <= upperBound);
      const bounds = [lowerBound !== undefined ? `>= ${lowerBound}` : '', upperBound !== undefined ? `<= ${upperBound}` : ''].filter(Boolean).join(' and ');
      checks.push({
        metric,
        kind: 'value',
        threshold,
        value,
        ok,
        message: `${metric} = ${round(value)} ${ok ? 'meets' : 'fails'} the value threshold ${bounds || '(none)'}`,
      });
    }
    if (threshold.changeThreshold) {
      const base = baseline?.[metric];
      if (typeof base !== 'number') {
        checks.push({
          metric,
          kind: 'change',
          threshold,
          value,
          ok: true,
          skipped: true,
          message: `change threshold on ${metric} skipped: there is no baseline model yet (first blessed model)`,
        });
        continue;
      }
      const { direction, absolute, relative } = threshold.changeThreshold;
      const diff = value - base;
      const ratio = base === 0 ? NaN : diff / base;
      const higher = direction === 'HIGHER_IS_BETTER';
      const absoluteOk = absolute === undefined || (higher ? diff >= absolute : diff <= absolute);
      const relativeOk = relative === undefined || (!Number.isNaN(ratio) && (higher ? ratio >= relative : ratio <= relative));
      const ok = absoluteOk && relativeOk;
      const wanted = [
        absolute !== undefined ? `change ${higher ? '>=' : '<='} ${absolute}` : '',
        relative !== undefined ? `relative change ${higher ? '>=' : '<='} ${relative}` : '',
      ]
        .filter(Boolean)
        .join(' and ');
      checks.push({
        metric,
        kind: 'change',
        threshold,
        value,
        baselineValue: base,
        ok,
        message: `${metric} changed by ${round(diff)} (${round(base)} → ${round(value)}); ${ok ? 'meets' : 'fails'} ${wanted} (${direction})`,
      });
    }
  }
  const failures = checks.filter((c) => !c.ok);
  return { ok: failures.length === 0, checks, failures, skipped: checks.filter((c) => c.skipped) };
}

function round(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x);
}
