import type { Artifact } from '../../dsl/artifact';

/**
 * The Resolver's latest blessed model is the candidate itself when the Trainer's output was reused
 * (a cached re-run): comparing a model with itself tells nothing (every change is zero), so the
 * Evaluator treats it as no baseline, in its cache key and in its executor alike.
 */
export function baselineIsCandidate(baseline?: Artifact, model?: Artifact): boolean {
  return Boolean(baseline && model && (baseline.id !== undefined && baseline.id === model.id ? true : baseline.uri === model.uri));
}
