/** Hit rates at two false-alarm rates. */
export interface HitRates {
  /** At 1% false alarms. */
  readonly "0.01": number;
  /** At 5% false alarms. */
  readonly "0.05": number;
}

/** Detection-quality figures for scores where higher means more anomalous. */
export interface Metrics {
  /** Area under the ROC curve (ties count one half). */
  readonly auc: number;
  /** Area under the precision-recall curve (average precision). */
  readonly prAuc: number;
  /** Best F1 over all thresholds. */
  readonly bestF1: number;
  /** Precision at the best-F1 threshold. */
  readonly precision: number;
  /** Recall at the best-F1 threshold. */
  readonly recall: number;
  /** Share of anomalies caught at the threshold that keeps false alarms at or below 1% and 5% of normals. */
  readonly hitRateAtFalseAlarm: HitRates;
  /** Weighted count of anomalous test sessions. */
  readonly positives: number;
  /** Weighted count of normal test sessions. */
  readonly negatives: number;
  /** ROC points (false-alarm rate, hit rate), one per distinct threshold, for drawing. */
  readonly roc: readonly (readonly [number, number])[];
}

/**
 * Computes ROC AUC, PR AUC, best F1 and hit rates at false-alarm rates from scores, labels (1 = anomaly)
 * and optional weights (a session seen `count` times). One pass over the scores sorted high to low;
 * sessions with equal scores are one threshold step.
 */
export function evaluate(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights?: ArrayLike<number>,
): Metrics {
  // Long because every metric comes from the same single sorted pass (one threshold step per distinct score).
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (scores[b] as number) - (scores[a] as number),
  );
  let positives = 0;
  let negatives = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? (weights[i] as number) : 1;
    if (labels[i] === 1) positives += w;
    else negatives += w;
  }
  if (positives === 0 || negatives === 0)
    throw new RangeError("evaluation needs both anomalous and normal test sessions");
  let tp = 0;
  let fp = 0;
  let auc = 0;
  let prAuc = 0;
  let best = { f1: 0, precision: 0, recall: 0 };
  const hit = { "0.01": 0, "0.05": 0 };
  const roc: [number, number][] = [[0, 0]];
  for (let k = 0; k < n; ) {
    const s = scores[order[k] as number] as number;
    let dtp = 0;
    let dfp = 0;
    while (k < n && scores[order[k] as number] === s) {
      const i = order[k] as number;
      const w = weights ? (weights[i] as number) : 1;
      if (labels[i] === 1) dtp += w;
      else dfp += w;
      k++;
    }
    auc += (dfp / negatives) * ((tp + dtp / 2) / positives);
    tp += dtp;
    fp += dfp;
    const recall = tp / positives;
    const precision = tp / (tp + fp);
    prAuc += (dtp / positives) * precision;
    const f1 = tp === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    if (f1 > best.f1) best = { f1, precision, recall };
    const far = fp / negatives;
    if (far <= 0.01) hit["0.01"] = recall;
    if (far <= 0.05) hit["0.05"] = recall;
    roc.push([far, recall]);
  }
  return {
    auc,
    prAuc,
    bestF1: best.f1,
    precision: best.precision,
    recall: best.recall,
    hitRateAtFalseAlarm: hit,
    positives,
    negatives,
    roc,
  };
}
