// The report page's script. It runs in the browser, inlined as the source text of `reportApp`,
// so it must stay self-contained: no imports, no closures over this module. Data reaches the DOM
// through textContent only, never innerHTML.
import type { ReportData, ReportSession } from "./types.js";

type StepSpec = (
  steps: { step: number; command: string; surprise: number; inWindow: boolean }[],
  width: number,
) => Record<string, unknown>;
type Embed = (el: Element, spec: unknown, opts: unknown) => Promise<{ view: VegaView }>;
interface VegaView {
  addEventListener(
    type: string,
    handler: (event: unknown, item: { datum?: Record<string, unknown> } | null) => void,
  ): void;
}

/** Builds the whole page from the embedded JSON. */
export function reportApp(
  stepChartSpec: StepSpec,
  identityLabel: (identity: readonly (string | null)[]) => string,
): void {
  // Long because it is the report page's browser script: DOM building for each panel, run inside the page, not Node.
  const payload = JSON.parse(
    (document.getElementById("seqhunt-data") as HTMLElement).textContent ?? "{}",
  ) as {
    data: ReportData;
    specs: { timeline: unknown; histogram: unknown };
  };
  const { data, specs } = payload;
  const embed = (globalThis as unknown as { vegaEmbed: Embed }).vegaEmbed;
  const views: Record<string, VegaView> = {};
  (globalThis as unknown as { seqhuntReport: unknown }).seqhuntReport = { data, views };

  const el = <K extends keyof HTMLElementTagNameMap>(
    tag: K,
    text?: string,
    cls?: string,
  ): HTMLElementTagNameMap[K] => {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  };
  const byId = (id: string) => document.getElementById(id) as HTMLElement;
  const iso = (ms: number | null) =>
    ms === null ? "" : new Date(ms).toISOString().replace(".000Z", "Z").replace("T", " ");
  const commandName = (id: number) => data.commands[id] ?? "?";

  // Header: what was analysed and how.
  const scored = data.sessions.filter((s) => s.rarity !== null);
  const short = data.sessions.filter((s) => s.rarity === null);
  const starts = data.sessions.map((s) => s.start).filter((t): t is number => t !== null);
  const ends = data.sessions.map((s) => s.end).filter((t): t is number => t !== null);
  byId("title").textContent = data.title;
  const facts: [string, string][] = [
    ["input", data.files.join(", ")],
    [
      "rows",
      `${data.rows.read} read, ${data.rows.used} used, ${data.rows.read - data.rows.used - (data.rows.folded ?? 0)} skipped` +
        (data.rows.skipped.length ? ` (${data.rows.skipped.map(([r, n]) => `${r}: ${n}`).join(", ")})` : "") +
        (data.rows.folded ? `, ${data.rows.folded} folded (further records of requests used)` : ""),
    ],
    ["sessions", `${data.sessions.length} (${scored.length} scored, ${short.length} too short for a window)`],
    ["session type", data.sessionType],
    [
      "window",
      `${data.window}${data.tokens ? ", with start/end tokens" : ", no tokens"}${data.geoMean ? ", geometric mean" : ""}`,
    ],
    ["model", data.modelSource],
    ["time range", starts.length ? `${iso(Math.min(...starts))} to ${iso(Math.max(...ends))}` : "n/a"],
    ["seqhunt", `${data.version}, report made ${data.generated}`],
    ...(data.warnings ?? []).map((w): [string, string] => ["warning", w]),
  ];
  const dl = byId("facts");
  for (const [k, v] of facts) {
    dl.append(el("dt", k), el("dd", v));
  }

  // Drill-down of one session.
  const openDrill = (rank: number) => {
    const s = data.sessions[rank - 1] as ReportSession;
    const panel = byId("drilldown");
    panel.hidden = false;
    byId("drill-title").textContent = `#${s.rank} ${identityLabel(s.identity)}  ${iso(s.start)}`;
    // The ranking detector's score and percentile first: the steps below are the reference model's.
    const ranking =
      data.method === null
        ? ""
        : `${data.method} score ${s.rarity === null ? "n/a" : s.rarity.toFixed(3)}${s.percentile === null ? "" : ` (above ${(100 * s.percentile).toFixed(1)}% of training sessions)`}: `;
    byId("drill-reason").textContent = ranking + s.reason;
    const list = byId("drill-steps");
    list.replaceChildren();
    s.steps.forEach((step, i) => {
      const inWindow = s.window !== null && i >= s.window[0] && i < s.window[0] + s.window[1];
      const li = el("li", undefined, inWindow ? "in-window" : "");
      li.append(
        el("span", commandName(step[0]), "cmd"),
        el("span", ` surprise ${step[1].toFixed(2)}`, "surprise"),
      );
      const unusual = new Map(step[2].map((f) => [f[1], f]));
      if (step[3] !== null && step[3].length > 0) {
        const params = el("ul", undefined, "params");
        for (const [name, value] of step[3]) {
          const finding = unusual.get(name);
          const item = el("li", value === null ? name : `${name} = ${value}`, finding ? "unusual" : "");
          if (finding) item.append(el("span", ` (${finding[0]})`, "kind"));
          params.append(item);
        }
        li.append(params);
      }
      for (const f of step[2]) {
        if (step[3]?.some(([n]) => n === f[1])) continue;
        li.append(el("div", `${f[0]}: ${f[1]}${f[2] === null ? "" : ` = ${f[2]}`}`, "unusual"));
      }
      list.append(li);
    });
    const bars = s.steps.map((step, i) => ({
      step: i,
      command: commandName(step[0]),
      surprise: step[1],
      inWindow: s.window !== null && i >= s.window[0] && i < s.window[0] + s.window[1],
    }));
    embed(byId("drill-chart"), stepChartSpec(bars, Math.min(860, 40 + 28 * bars.length)), {
      actions: false,
      renderer: "svg",
    });
    panel.scrollIntoView({ block: "nearest" });
  };

  // Ranked table: sortable, filterable, paged.
  const pageSize = 50;
  let page = 0;
  let sortKey = "rank";
  let ascending = true;
  let filter = "";
  const columns: [string, string][] = [
    ["rank", "rank"],
    ...data.identityColumns.map((c, i): [string, string] => [`id${i}`, c]),
    ["start", "start"],
    ["length", "length"],
    ["rarity", data.method === null ? "rarity" : `${data.method} score`],
    ["window", "rarest window"],
    ["reason", "reason"],
  ];
  const windowOf = (s: ReportSession) =>
    s.window === null
      ? ""
      : s.steps
          .slice(s.window[0], s.window[0] + s.window[1])
          .map((st) => commandName(st[0]))
          .join(" -> ");
  const cell = (s: ReportSession, key: string): string | number | null => {
    if (key.startsWith("id")) return s.identity[Number(key.slice(2))] ?? null;
    if (key === "window") return windowOf(s);
    return (s as unknown as Record<string, string | number | null>)[key] ?? null;
  };
  const text = (s: ReportSession) =>
    `${identityLabel(s.identity)} ${s.steps.map((st) => commandName(st[0])).join(" ")}`.toLowerCase();
  const head = byId("table-head");
  for (const [key, label] of columns) {
    const th = el("th", label);
    th.dataset.key = key;
    th.addEventListener("click", () => {
      ascending = sortKey === key ? !ascending : true;
      sortKey = key;
      page = 0;
      renderTable();
    });
    head.append(th);
  }
  const renderTable = () => {
    const rows = data.sessions.filter((s) => filter === "" || text(s).includes(filter));
    rows.sort((a, b) => {
      const x = cell(a, sortKey);
      const y = cell(b, sortKey);
      const order = x === y ? a.rank - b.rank : x === null ? 1 : y === null ? -1 : x < y ? -1 : 1;
      return ascending ? order : -order;
    });
    for (const th of head.querySelectorAll("th")) {
      th.className = th.dataset.key === sortKey ? (ascending ? "sorted asc" : "sorted desc") : "";
    }
    const pages = Math.max(1, Math.ceil(rows.length / pageSize));
    page = Math.min(page, pages - 1);
    const body = byId("table-body");
    body.replaceChildren();
    for (const s of rows.slice(page * pageSize, (page + 1) * pageSize)) {
      const tr = el("tr");
      tr.dataset.rank = String(s.rank);
      for (const [key] of columns) {
        const v = cell(s, key);
        const shown =
          key === "start"
            ? iso(v as number | null)
            : key === "rarity" && v !== null
              ? (v as number).toFixed(2)
              : (v ?? "");
        tr.append(
          el(
            "td",
            String(shown),
            key === "rank" || key === "start" || key === "length" || key === "rarity" ? "nowrap" : "",
          ),
        );
      }
      tr.addEventListener("click", () => openDrill(s.rank));
      body.append(tr);
    }
    byId("page-info").textContent = `page ${page + 1} of ${pages} (${rows.length} sessions)`;
  };
  byId("filter").addEventListener("input", (e) => {
    filter = (e.target as HTMLInputElement).value.trim().toLowerCase();
    page = 0;
    renderTable();
  });
  byId("prev").addEventListener("click", () => {
    page = Math.max(0, page - 1);
    renderTable();
  });
  byId("next").addEventListener("click", () => {
    page += 1;
    renderTable();
  });
  renderTable();

  // Sessions too short for a window, listed apart.
  byId("short-count").textContent = `${short.length} sessions are shorter than the window and have no score.`;
  const shortList = byId("short-list");
  for (const s of short.slice(0, 500)) {
    shortList.append(
      el(
        "li",
        `${identityLabel(s.identity)} ${iso(s.start)}: ${s.steps.map((st) => commandName(st[0])).join(" -> ")}`,
      ),
    );
  }

  // Charts.
  const options = { actions: false, renderer: "svg", tooltip: { theme: "light" } };
  embed(byId("timeline"), specs.timeline, options).then((result) => {
    views.timeline = result.view;
    result.view.addEventListener("click", (_event, item) => {
      const rank = item?.datum?.rank;
      if (typeof rank === "number") openDrill(rank);
    });
    document.body.dataset.ready = "timeline";
  });
  embed(byId("histogram"), specs.histogram, options).then((result) => {
    views.histogram = result.view;
  });
}
