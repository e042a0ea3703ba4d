import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { reportApp } from "./app.js";
import { histogramSpec, identityLabel, stepChartSpec, timelineSpec } from "./charts.js";
import type { ReportData } from "./types.js";

/** The folder of an installed package (its exports hide package.json, so walk up from its entry). */
function packageRoot(pkg: string): string {
  let dir = dirname(fileURLToPath(import.meta.resolve(pkg)));
  while (
    !existsSync(join(dir, "package.json")) ||
    JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name !== pkg
  ) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the installed package ${pkg}`);
    dir = up;
  }
  return dir;
}

/** The browser build of a package, read from node_modules (inlined: the report makes no request). */
function bundle(pkg: string, file: string): string {
  return readFileSync(join(packageRoot(pkg), "build", file), "utf8");
}

/** JSON safe inside a <script> element: <, >, & and the JavaScript line separators are escaped. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Code safe inside a <script> element: no closing tag can appear. */
function scriptCode(code: string): string {
  return code.replace(/<\/(script)/gi, "<\\/$1");
}

const STYLE = `
:root { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2330; background: #f6f7f9; }
body { margin: 0 auto; max-width: 1180px; padding: 20px 28px 60px; }
h1 { font-size: 22px; margin: 0 0 8px; } h2 { font-size: 17px; margin: 28px 0 8px; }
section { background: #fff; border: 1px solid #dde1e7; border-radius: 8px; padding: 14px 18px; margin-top: 16px; }
dl#facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dt { color: #5b6475; } dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #eceff3; vertical-align: top; overflow-wrap: anywhere; }
td.nowrap, th { white-space: nowrap; }
th { cursor: pointer; user-select: none; background: #f0f2f5; position: sticky; top: 0; }
th.sorted.asc::after { content: " ▲"; } th.sorted.desc::after { content: " ▼"; }
tbody tr { cursor: pointer; } tbody tr:hover { background: #eef4ff; }
#filter { width: 340px; padding: 6px 8px; border: 1px solid #c9ced8; border-radius: 5px; }
.pager { display: flex; gap: 10px; align-items: center; margin: 8px 0; }
#drill-steps { padding-left: 28px; } #drill-steps > li { padding: 4px 6px; border-radius: 4px; }
#drill-steps > li.in-window { background: #fde8e8; }
.cmd { font-weight: 600; font-family: ui-monospace, monospace; } .surprise { color: #5b6475; }
.params { margin: 2px 0 2px 10px; padding-left: 14px; font-family: ui-monospace, monospace; font-size: 12px; }
.unusual { color: #b42318; font-weight: 600; } .kind { font-weight: 400; }
#drill-reason { color: #5b6475; }
`;

/** The Vega, Vega-Lite and vega-embed browser builds as inline script elements. */
export function inlineLibraries(): string {
  return [
    bundle("vega", "vega.min.js"),
    bundle("vega-lite", "vega-lite.min.js"),
    bundle("vega-embed", "vega-embed.min.js"),
  ]
    .map((code) => `<script>${scriptCode(code)}</script>`)
    .join("\n");
}

/** The whole report: one self-contained HTML file that opens offline and makes no request. */
export function renderReport(data: ReportData): string {
  const payload = { data, specs: { timeline: timelineSpec(data), histogram: histogramSpec(data) } };
  const app = `(${reportApp.toString()})(${stepChartSpec.toString()}, ${identityLabel.toString()});`;
  const csp =
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:; font-src data:; connect-src 'none'";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>seqhunt report</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1 id="title"></h1><dl id="facts"></dl></header>
<section><div id="timeline"></div></section>
<section><div id="histogram"></div></section>
<section>
<h2>Sessions, rarest first</h2>
<input id="filter" type="search" placeholder="filter by identity or command" aria-label="filter sessions">
<div class="pager"><button id="prev" type="button">previous</button><span id="page-info"></span><button id="next" type="button">next</button></div>
<table><thead><tr id="table-head"></tr></thead><tbody id="table-body"></tbody></table>
</section>
<section id="drilldown" hidden>
<h2 id="drill-title"></h2>
<p id="drill-reason"></p>
<div id="drill-chart"></div>
<ol id="drill-steps" start="0"></ol>
</section>
<section><h2>Too short to score</h2><p id="short-count"></p><details><summary>list them</summary><ul id="short-list"></ul></details></section>
<script type="application/json" id="seqhunt-data">${scriptJson(payload)}</script>
${inlineLibraries()}
<script>${scriptCode(app)}</script>
</body>
</html>
`;
}
