// The console page: one client of the JSON API. Text goes in with textContent only (no HTML);
// the actions token stays in this page's memory (never stored, never in a URL).
"use strict";

const state = {
  view: "patterns",
  actions: false,
  cell: null, // { pattern, domain } shown in the detail panel
  decisions: [],
  decision: null, // sequence of the decision shown
  typeToPlugin: new Map(),
  chart: null,
};

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== null && text !== undefined) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function cell(row, text, cls) {
  const td = el("td", text, cls);
  row.appendChild(td);
  return td;
}

function fill(tableId, rows, render) {
  const body = document.querySelector("#" + tableId + " tbody");
  body.replaceChildren();
  rows.forEach(r => { const tr = document.createElement("tr"); render(tr, r); body.appendChild(tr); });
}

function fixed(v, digits) {
  return v === null || v === undefined ? "" : Number(v).toFixed(digits);
}

async function get(path) {
  const res = await fetch(path, { headers: { "Accept": "application/json" } });
  if (!res.ok) throw new Error(path + ": " + res.status);
  return res.json();
}

function enc(s) { return encodeURIComponent(s); }

// Names are data: a domain called "constructor" or "__proto__" must not reach Object.prototype.
function own(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }

// ------------------------------------------------------------------ patterns and heatmap

async function loadPatterns() {
  const data = await get("/api/patterns");
  const domains = [...new Set(data.patterns.flatMap(p => Object.keys(p.domains)))].sort();
  const forced = data.pins.forced;
  const forbidden = data.pins.forbidden;

  const head = document.querySelector("#heatmap thead");
  const hr = document.createElement("tr");
  hr.appendChild(el("th", "Pattern \\ domain"));
  domains.forEach(d => hr.appendChild(el("th", d)));
  head.replaceChildren(hr);

  fill("heatmap", data.patterns, (tr, p) => {
    tr.appendChild(el("th", p.name));
    domains.forEach(d => {
      const s = own(p.domains, d) ? p.domains[d] : undefined;
      const level = s && (s.successes + s.failures) > 0 ? s.level : "none";
      let text = s ? fixed(s.confidence, 2) : "";
      if (own(forced, d) && forced[d] === p.name) text += " ★";
      if (own(forbidden, d) && forbidden[d].includes(p.name)) text += " ⊘";
      const td = cell(tr, text, "cell level-" + level);
      td.dataset.pattern = p.name;
      td.dataset.domain = d;
      td.dataset.level = level;
      td.title = p.name + " in " + d + (s ? ": " + s.successes + " successes, " + s.failures + " failures" : "");
      if (state.cell && state.cell.pattern === p.name && state.cell.domain === d) td.classList.add("selected");
      td.addEventListener("click", () => showCell(p.name, d));
    });
  });

  fill("patterns", data.patterns, (tr, p) => {
    cell(tr, p.name); cell(tr, p.type); cell(tr, state.typeToPlugin.get(p.type) || "built in");
    cell(tr, p.agentTypes.join(", ")); cell(tr, p.description);
    cell(tr, JSON.stringify(p.definition.parameters));
    cell(tr, p.overall.successes); cell(tr, p.overall.failures);
    cell(tr, fixed(p.overall.confidence, 3), "level-" + (p.overall.level || "none"));
  });
  if (state.cell) await loadCell();
}

function showCell(pattern, domain) {
  state.cell = { pattern, domain };
  document.querySelectorAll("#heatmap td.selected").forEach(td => td.classList.remove("selected"));
  document.querySelectorAll("#heatmap td.cell").forEach(td => {
    if (td.dataset.pattern === pattern && td.dataset.domain === domain) td.classList.add("selected");
  });
  loadCell().catch(e => console.warn(e));
}

async function loadCell() {
  const { pattern, domain } = state.cell;
  let c;
  try {
    c = await get("/api/cell?" + new URLSearchParams({ pattern, domain }).toString());
  } catch (e) {
    document.getElementById("cell-title").textContent = pattern + " in " + domain + ": no longer registered";
    return;
  }
  document.getElementById("cell-detail").classList.remove("hidden");
  document.getElementById("cell-title").textContent = c.pattern + " in " + c.domain;
  const rows = [
    ["Confidence", fixed(c.confidence, 3)],
    ["Level", c.level],
    ["Successes", c.successes],
    ["Failures", c.failures],
    ["Effective sample size", fixed(c.effectiveSampleSize, 2)],
    ["Prior", "Beta(" + c.prior.alpha + ", " + c.prior.beta + "), mean " + fixed(c.prior.mean, 3)],
    ["Breaker", c.breaker],
    ["Forced here", c.forced ? "yes" : "no"],
    ["Forbidden here", c.forbidden ? "yes" : "no"],
  ];
  fill("cell-stats", rows, (tr, r) => {
    tr.appendChild(el("th", r[0]));
    const td = cell(tr, r[1]);
    td.dataset.stat = r[0];
  });
  fill("cell-outcomes", c.lastOutcomes.slice().reverse(), (tr, o) => {
    cell(tr, new Date(o.at).toLocaleTimeString()); cell(tr, o.kind);
    cell(tr, o.status, "status-" + o.status); cell(tr, fixed(o.durationMillis, 1));
  });
  drawChart(c.history);
}

function drawChart(history) {
  const box = document.getElementById("cell-chart");
  const xs = history.map(p => p.epochMillis / 1000);
  const ys = history.map(p => p.confidence);
  if (typeof uPlot === "undefined") { box.textContent = "chart library not loaded"; return; }
  if (state.chart) { state.chart.destroy(); state.chart = null; }
  box.replaceChildren();
  state.chart = new uPlot({
    title: "Confidence over time",
    width: 420, height: 200,
    scales: { y: { range: [0, 1] } },
    series: [{}, { label: "confidence", stroke: "#1a4f8b", width: 2, points: { show: true } }],
    axes: [{}, { values: (u, vals) => vals.map(v => v.toFixed(1)) }],
  }, [xs, ys], box);
}

// ------------------------------------------------------------------ decisions

async function loadDecisions() {
  const form = new FormData(document.getElementById("filters"));
  const q = new URLSearchParams();
  for (const [k, v] of form.entries()) if (v) q.set(k, v);
  const data = await get("/api/decisions?" + q.toString());
  state.decisions = data.decisions;
  fill("decisions", data.decisions, (tr, d) => {
    tr.dataset.sequence = d.sequence;
    tr.dataset.domain = d.domain;
    tr.dataset.fallbacks = d.fallbacks;
    cell(tr, d.sequence); cell(tr, new Date(d.finishedAt).toLocaleTimeString());
    cell(tr, d.domain); cell(tr, d.agentType); cell(tr, d.chosenPattern);
    cell(tr, d.success ? "success" : "failure", d.success ? "" : "failure");
    const attempts = cell(tr, null, "attempts");
    d.attempts.forEach(a => {
      const text = a.pattern + " " + a.kind + " " + a.status + " " + fixed(a.durationMillis, 1) + " ms"
        + (a.fallback ? " (fallback)" : "");
      attempts.appendChild(el("span", text, "attempt status-" + a.status));
    });
    cell(tr, d.fallbacks, d.fallbacks > 0 ? "fallback" : "");
    cell(tr, d.retries);
    cell(tr, d.attempts.filter(a => a.kind === "SKIPPED").length);
    cell(tr, d.message);
    if (state.decision === d.sequence) tr.classList.add("selected");
    tr.addEventListener("click", () => showDecision(d.sequence));
  });
  if (state.decision !== null) showDecision(state.decision);
}

function showDecision(sequence) {
  state.decision = sequence;
  document.querySelectorAll("#decisions tbody tr").forEach(tr =>
    tr.classList.toggle("selected", Number(tr.dataset.sequence) === sequence));
  const d = state.decisions.find(x => x.sequence === sequence);
  const box = document.getElementById("decision-detail");
  if (!d) { box.classList.add("hidden"); return; }
  box.classList.remove("hidden");
  document.getElementById("decision-title").textContent = "#" + d.sequence + " " + d.domain + " / "
    + d.agentType + ": policy " + d.decision.policy + ", min confidence " + fixed(d.decision.minConfidence, 2)
    + ", at most " + d.decision.maxAttempts + " attempts";
  fill("candidates", d.decision.entries, (tr, e) => {
    cell(tr, e.pattern); cell(tr, e.verdict); cell(tr, fixed(e.match, 2)); cell(tr, fixed(e.posteriorMean, 3));
    cell(tr, fixed(e.effectiveSampleSize, 1)); cell(tr, fixed(e.sample, 3)); cell(tr, e.why);
  });
  const notes = document.getElementById("decision-notes");
  notes.replaceChildren(...d.decision.notes.map(n => el("li", n)));
}

// ------------------------------------------------------------------ resources

async function loadResources() {
  const data = await get("/api/resources");
  fill("resources", data.resources, (tr, r) => {
    tr.dataset.resource = r.name;
    const capacity = r.capacity === null ? data.defaultCapacity : r.capacity;
    cell(tr, r.name);
    const gauge = cell(tr, null);
    const meter = el("meter");
    meter.min = 0; meter.max = Math.max(capacity, 1); meter.value = r.inUse;
    meter.high = Math.max(capacity, 1) - 0.5; meter.optimum = 0;
    gauge.appendChild(meter);
    const text = cell(tr, r.inUse + " / " + capacity, r.inUse >= capacity ? "full" : "");
    text.dataset.inUse = r.inUse;
    text.dataset.capacity = capacity;
    cell(tr, r.conflicts, r.conflicts > 0 ? "failure" : "");
  });
  document.getElementById("waiting").textContent = String(data.waitingRequests);
}

// ------------------------------------------------------------------ plugins

async function loadPlugins() {
  const data = await get("/api/plugins");
  const typeToPlugin = new Map();
  data.plugins.forEach(p => { if (p.healthy) p.types.forEach(t => typeToPlugin.set(t, p.id)); });
  state.typeToPlugin = typeToPlugin;
  fill("plugins", data.plugins, (tr, p) => {
    tr.dataset.plugin = p.id;
    cell(tr, p.id); cell(tr, p.version); cell(tr, p.state, p.healthy ? "" : "failure");
    cell(tr, p.types.join(", ")); cell(tr, p.reason, "reason"); cell(tr, p.path);
    const buttons = cell(tr, null);
    if (state.actions) {
      ["stop", "start", "reload"].forEach(a => {
        const b = el("button", a[0].toUpperCase() + a.slice(1));
        b.type = "button";
        b.dataset.action = "plugins/" + p.id + "/" + a;
        b.addEventListener("click", () => act("plugins/" + enc(p.id) + "/" + a, {}));
        buttons.appendChild(b);
      });
    }
  });
}

// ------------------------------------------------------------------ actions

async function act(action, body) {
  const out = document.getElementById("action-result");
  const token = document.getElementById("token").value;
  if (!token) { out.textContent = "Type the actions token first."; out.className = "status failure"; return; }
  try {
    const res = await fetch("/api/actions/" + action, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Authorization": "Bearer " + token },
      body: JSON.stringify(body),
    });
    const answer = await res.json().catch(() => ({ error: "answer was not JSON" }));
    out.textContent = res.ok ? answer.done : (res.status + ": " + answer.error);
    out.className = res.ok ? "status done" : "status failure";
  } catch (e) {
    out.textContent = String(e);
    out.className = "status failure";
  }
  refresh("patterns", "plugins", "resources");
}

function cellAction(action) {
  const { pattern, domain } = state.cell;
  const body = action === "reset-pattern" ? { pattern } : action === "reset-domain" ? { domain } : { domain, pattern };
  act(action, body);
}

// ------------------------------------------------------------------ live updates and navigation

const loaders = { patterns: loadPatterns, decisions: loadDecisions, resources: loadResources, plugins: loadPlugins };
const pending = new Set();
let timer = null;

// Events come in bursts: refresh each affected view at most a few times a second.
function refresh(...views) {
  views.forEach(v => pending.add(v));
  if (timer) return;
  timer = setTimeout(() => {
    timer = null;
    const now = [...pending]; pending.clear();
    now.forEach(v => loaders[v]().catch(e => console.warn(e)));
  }, 250);
}

function connect() {
  const status = document.getElementById("live");
  const source = new EventSource("/api/events");
  source.onopen = () => { status.textContent = "live"; };
  source.onerror = () => { status.textContent = "reconnecting…"; };
  source.addEventListener("execution-finished", () => refresh("patterns", "decisions"));
  source.addEventListener("statistics-reset", () => refresh("patterns"));
  source.addEventListener("confidence-crossed", () => refresh("patterns"));
  source.addEventListener("breaker-changed", () => refresh("patterns"));
  source.addEventListener("action", () => refresh("patterns", "plugins"));
  ["resource-acquired", "resource-released", "resource-conflict"].forEach(t =>
    source.addEventListener(t, () => refresh("resources")));
  ["plugin-loaded", "plugin-failed", "plugin-stopped"].forEach(t =>
    source.addEventListener(t, () => refresh("plugins", "patterns")));
}

function show(view) {
  if (!own(loaders, view)) view = "patterns";
  state.view = view;
  Object.keys(loaders).forEach(v =>
    document.getElementById("view-" + v).classList.toggle("hidden", v !== view));
  document.querySelectorAll("#tabs a").forEach(a => a.classList.toggle("current", a.dataset.view === view));
}

document.addEventListener("DOMContentLoaded", async () => {
  show(location.hash.slice(1));
  window.addEventListener("hashchange", () => show(location.hash.slice(1)));
  document.getElementById("filters").addEventListener("input", () => refresh("decisions"));
  document.getElementById("token-form").addEventListener("submit", e => e.preventDefault());
  document.querySelectorAll("#cell-actions button").forEach(b =>
    b.addEventListener("click", () => cellAction(b.dataset.action)));
  try {
    const info = await get("/api/console");
    state.actions = info.actions;
  } catch (e) {
    console.warn(e);
  }
  document.getElementById("token-form").classList.toggle("hidden", !state.actions);
  document.getElementById("cell-actions").classList.toggle("hidden", !state.actions);
  // Plugins first: the pattern table names the plugin of each type.
  await loadPlugins().catch(e => console.warn(e));
  Object.keys(loaders).forEach(v => refresh(v));
  connect();
});
