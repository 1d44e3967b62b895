// The console page: one client of the JSON API. Text goes in with textContent only (no HTML).
"use strict";

function cell(row, text, cls) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "" : String(text);
  if (cls) td.className = cls;
  row.appendChild(td);
  return td;
}

function fill(tableId, rows, render) {
  const body = document.querySelector("#" + tableId + " tbody");
  body.replaceChildren();
  rows.forEach(r => { const tr = document.createElement("tr"); render(tr, r); body.appendChild(tr); });
}

async function get(path) {
  const res = await fetch(path, { headers: { "Accept": "application/json" } });
  if (!res.ok) throw new Error(path + ": " + res.status);
  return res.json();
}

async function loadPatterns() {
  const data = await get("/api/patterns");
  const rows = [];
  data.patterns.forEach(p => {
    const domains = Object.entries(p.domains);
    if (domains.length === 0) rows.push({ p, domain: "", s: p.overall });
    domains.forEach(([domain, s]) => rows.push({ p, domain, s }));
  });
  fill("patterns", rows, (tr, r) => {
    cell(tr, r.p.name); cell(tr, r.p.type); cell(tr, r.domain);
    cell(tr, r.s.successes); cell(tr, r.s.failures);
    cell(tr, r.s.confidence === null ? "" : r.s.confidence.toFixed(3));
    cell(tr, r.s.level, "level-" + r.s.level);
  });
}

async function loadDecisions() {
  const form = new FormData(document.getElementById("filters"));
  const q = new URLSearchParams();
  for (const [k, v] of form.entries()) if (v) q.set(k, v);
  const data = await get("/api/decisions?" + q.toString());
  fill("decisions", data.decisions, (tr, d) => {
    cell(tr, d.sequence); cell(tr, d.domain); cell(tr, d.agentType); cell(tr, d.chosenPattern);
    cell(tr, d.success ? "success" : "failure", d.success ? "" : "failure");
    cell(tr, d.attempts.map(a => a.pattern + ":" + a.status + " " + a.durationMillis.toFixed(1) + "ms").join(", "));
    cell(tr, d.message);
  });
}

async function loadResources() {
  const data = await get("/api/resources");
  fill("resources", data.resources, (tr, r) => { cell(tr, r.name); cell(tr, r.inUse); cell(tr, r.capacity); });
  document.getElementById("waiting").textContent = String(data.waitingRequests);
}

async function loadPlugins() {
  const data = await get("/api/plugins");
  fill("plugins", data.plugins, (tr, p) => {
    cell(tr, p.id); cell(tr, p.version); cell(tr, p.state); cell(tr, p.reason); cell(tr, p.path);
  });
}

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

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("filters").addEventListener("input", () => refresh("decisions"));
  Object.keys(loaders).forEach(v => refresh(v));
  connect();
});
