import type { Metrics } from "../eval/metrics.js";
import { inlineLibraries, scriptJson } from "./html.js";

/** A self-contained HTML page with the ROC curve of an evaluation (offline, no request). */
export function renderRocReport(m: Metrics, about: { method: string; train: string; test: string }): string {
  const step = Math.max(1, Math.floor(m.roc.length / 2000));
  const points = m.roc
    .filter((_, i) => i % step === 0 || i === m.roc.length - 1)
    .map(([far, hit]) => ({ far, hit }));
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `ROC of ${about.method}: AUC ${m.auc.toFixed(4)}`,
    width: 520,
    height: 420,
    layer: [
      {
        data: { values: points },
        mark: { type: "line", interpolate: "step-after" },
        encoding: {
          x: { field: "far", type: "quantitative", title: "false-alarm rate", scale: { domain: [0, 1] } },
          y: { field: "hit", type: "quantitative", title: "hit rate", scale: { domain: [0, 1] } },
        },
      },
      {
        data: {
          values: [
            { far: 0, hit: 0 },
            { far: 1, hit: 1 },
          ],
        },
        mark: { type: "line", strokeDash: [4, 4], color: "#999" },
        encoding: { x: { field: "far", type: "quantitative" }, y: { field: "hit", type: "quantitative" } },
      },
    ],
  };
  const facts = {
    train: about.train,
    test: about.test,
    method: about.method,
    auc: m.auc,
    prAuc: m.prAuc,
    bestF1: m.bestF1,
    hitRateAtFalseAlarm: m.hitRateAtFalseAlarm,
  };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; connect-src 'none'">
<title>seqhunt evaluation</title>
<style>body{font:14px system-ui,sans-serif;margin:24px} pre{background:#f4f5f7;padding:10px}</style></head>
<body><h1>seqhunt evaluation</h1><pre id="facts"></pre><div id="roc"></div>
<script type="application/json" id="seqhunt-roc">${scriptJson({ spec, facts })}</script>
${inlineLibraries()}
<script>
const payload = JSON.parse(document.getElementById("seqhunt-roc").textContent);
document.getElementById("facts").textContent = JSON.stringify(payload.facts, null, 2);
vegaEmbed("#roc", payload.spec, { actions: false, renderer: "svg" }).then(() => { document.body.dataset.ready = "roc"; });
</script></body></html>
`;
}
