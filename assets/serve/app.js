// govsim serve: the live app. Talks only to the server it came from
// (docs/serve.md); every text from a scenario or the model is set as text,
// never as markup.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
// Okabe–Ito, as in the plots: each metric's colour comes from the server
// (GET /api/colours, the same as in a run's report); these are for a
// metric it does not name.
const COLORS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];
function colourOf(key, s) { return app.colours[key] || COLORS[s % COLORS.length]; }

const CHARTS = [
  { title: "Issues resolved (30-day window)", unit: "share", fixed: [0, 1],
    series: [["resolution_rate", "all issues"], ["cross_cutting_resolution_rate", "cross-cutting issues"]] },
  { title: "Residents taking part each day", unit: "share",
    series: [["participation_rate_local", "locals"], ["participation_rate_migrant", "migrants"]] },
  { title: "Trust in each kind of organization", unit: "mean trust", fixed: [0, 1],
    series: [["trust_party", "party"], ["trust_government", "government"], ["trust_social", "social"]] },
  { title: "Open issues (backlog)", unit: "issues",
    series: [["backlog", "open issues"]] },
  { title: "Who resolves issues (30-day window)", unit: "share of resolutions", fixed: [0, 1],
    series: [["share_party_convened", "party-convened"], ["share_self_organized", "self-organized"], ["share_bureaucratic", "bureaucratic"]] },
  { title: "Satisfaction of reporters (30-day window)", unit: "share", fixed: [0, 1], optional: true,
    series: [["satisfaction_rate", "satisfied"]] },
];

const app = {
  controls: [], scenarios: [], colours: {}, levers: {}, uploaded: null,
  runs: { A: null, B: null }, playing: false, busy: false, chosen: null,
  queue: Promise.resolve(),
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function say(text) { $("message").textContent = text || ""; }

async function api(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  // A 503 means the server is busy with other runs' long work for a
  // moment (it keeps a worker for quick requests): wait and ask again.
  let response;
  for (let attempt = 0; ; attempt++) {
    response = await fetch(path, options);
    if (response.status !== 503 || attempt >= 50) break;
    await new Promise((resolve) => setTimeout(resolve, 100 + 20 * attempt));
  }
  const data = await response.json().catch(() => ({ error: "unreadable reply" }));
  if (!response.ok) {
    const field = data.field ? ` (${data.field})` : "";
    throw new Error(`${data.error || response.statusText}${field}`);
  }
  return data;
}

function abMode() { return $("ab").checked; }
function day() { return app.runs.A ? app.runs.A.rows.length : 0; }

// ---- levers ---------------------------------------------------------------

const GROUPS = [["setting", "Setting"], ["system", "System"], ["procedure", "Procedure"],
  ["security", "Security"], ["issues", "Issues"], ["others", "Other levers"]];

// The values of `key` day by day, or with "Smooth" ticked the mean of each
// day's last 30 defined values (the legends keep the day's own value).
const SMOOTH_DAYS = 30;
function smoothed(rows, key) {
  const values = rows.map((row) => row[key]);
  if (!$("smooth").checked) return values;
  const window = [];
  let sum = 0;
  return values.map((v) => {
    if (v === null || v === undefined) return null;
    window.push(v);
    sum += v;
    if (window.length > SMOOTH_DAYS) sum -= window.shift();
    return sum / window.length;
  });
}

// `hex` (#rrggbb) mixed 45% toward black: run B's shade of a series colour.
function darker(hex) {
  const n = parseInt(hex.slice(1), 16);
  const part = (shift) => Math.round(((n >> shift) & 255) * 0.55);
  return `rgb(${part(16)},${part(8)},${part(0)})`;
}

function format(value) {
  if (typeof value !== "number") return String(value);
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function buildLevers() {
  const box = $("lever-groups");
  box.replaceChildren();
  for (const [group, title] of GROUPS) {
    const set = el("fieldset");
    set.appendChild(el("legend", {}, title));
    for (const c of app.controls.filter((c) => c.group === group)) {
      const id = "lever-" + c.key.replace(/\./g, "-");
      const div = el("div", { class: "control" + (c.fixed ? " fixed" : ""), "data-key": c.key });
      const label = el("label", { for: id }, c.label);
      const range = c.widget === "slider" ? ` ${c.unit}; valid ${c.min} to ${c.max}` : ` ${c.unit}`;
      label.appendChild(el("span", { class: "range" }, " —" + range));
      div.appendChild(label);
      let input;
      if (c.widget === "slider") {
        input = el("input", { id, type: "range", min: c.lo, max: c.hi, step: c.step });
        const out = el("output", { for: id, id: id + "-value" });
        input.addEventListener("input", () => { out.textContent = format(Number(input.value)); });
        div.append(input, out);
      } else if (c.widget === "switch") {
        input = el("input", { id, type: "checkbox" });
        div.appendChild(input);
      } else {
        input = el("select", { id });
        for (const choice of c.choices) input.appendChild(el("option", { value: choice }, choice));
        div.appendChild(input);
      }
      if (c.fixed) input.title = c.fixed;
      // One change after another, in the order they were made.
      input.addEventListener("change", () => { app.queue = app.queue.then(() => leverMoved(c, input)); });
      set.appendChild(div);
    }
    box.appendChild(set);
  }
}

function controlValue(c, input) {
  if (c.widget === "slider") return Number(input.value);
  if (c.widget === "switch") return input.checked;
  return input.value;
}

// Shows the levers of the run the controls act on (B in A/B mode).
function showLevers() {
  const run = abMode() ? app.runs.B : app.runs.A;
  if (!run) return;
  for (const c of app.controls) {
    const id = "lever-" + c.key.replace(/\./g, "-");
    const input = $(id);
    const value = run.state.levers[c.key];
    if (c.widget === "slider") {
      input.value = value;
      $(id + "-value").textContent = format(value);
    } else if (c.widget === "switch") {
      input.checked = Boolean(value);
    } else {
      input.value = value;
    }
    input.disabled = Boolean(c.fixed) && day() > 0;
  }
  $("levers-title").textContent = abMode() ? "Levers of run B" : "Levers";
}

async function leverMoved(c, input) {
  const value = controlValue(c, input);
  app.levers[c.key] = value;
  if (day() === 0) {
    // Before the first day every lever may change: build the runs again.
    await start();
    return;
  }
  const target = abMode() ? "B" : "A";
  try {
    const reply = await api("POST", `/api/runs/${app.runs[target].id}/set`, { [c.key]: value });
    app.runs[target].state = reply.state;
    for (const change of reply.changes) addEvent({ day: change.day, text: `day ${change.day}: ${change.key} set to ${change.value}${abMode() ? " in run B" : ""}` }, true);
    say("");
    render();
  } catch (e) {
    say(e.message);
    showLevers();
  }
}

// ---- runs -----------------------------------------------------------------

async function createRun(set) {
  const body = { seed: Number($("seed").value) || 0, set };
  if (app.uploaded !== null) body.text = app.uploaded; else body.scenario = $("scenario").value;
  const state = await api("POST", "/api/runs", body);
  return { id: state.id, state, rows: [] };
}

async function dropRuns() {
  for (const key of ["A", "B"]) {
    const run = app.runs[key];
    app.runs[key] = null;
    if (run) await api("DELETE", `/api/runs/${run.id}`).catch(() => {});
  }
}

async function start() {
  pause();
  await dropRuns();
  try {
    if (abMode()) {
      app.runs.A = await createRun({});
      app.runs.B = await createRun(app.levers);
    } else {
      app.runs.A = await createRun(app.levers);
    }
    say("");
  } catch (e) {
    say(e.message);
  }
  $("feed").replaceChildren();
  const a = app.runs.A;
  $("description").textContent = a ? `${a.state.name}: ${a.state.description}` : "";
  $("download-a").href = a ? `/api/runs/${a.id}/timeseries.csv` : "#";
  $("download-b").hidden = !abMode();
  $("legend-runs").hidden = !abMode();
  if (app.runs.B) $("download-b").href = `/api/runs/${app.runs.B.id}/timeseries.csv`;
  showLevers();
  await render();
}

async function step(days) {
  if (app.busy || !app.runs.A) return;
  app.busy = true;
  try {
    // Both runs' events of the step, in day order, each tagged with its
    // run in A/B mode (A first on a day).
    const events = [];
    for (const key of ["A", "B"]) {
      const run = app.runs[key];
      if (!run) continue;
      const reply = await api("POST", `/api/runs/${run.id}/step`, { days });
      run.rows.push(...reply.rows);
      if (key === "A" || abMode()) for (const e of reply.events) events.push({ day: e.day, text: abMode() ? `${key}: ${e.text}` : e.text });
    }
    events.sort((a, b) => a.day - b.day);
    for (const e of events) addEvent(e, false);
    showLevers();
    await render();
  } catch (e) {
    say(e.message);
    pause();
  } finally {
    app.busy = false;
  }
}

const TICK_MS = 200;
function play() {
  if (app.playing) return;
  app.playing = true;
  $("play").textContent = "Pause";
  $("play").setAttribute("aria-pressed", "true");
  // Play stops at the end of the scenario's days (sim.days: a lesson's
  // year); pressing Play there goes on past it.
  const end = app.runs.A.rows.length < app.runs.A.state.days ? app.runs.A.state.days : Infinity;
  const tick = async () => {
    if (!app.playing) return;
    const left = end - app.runs.A.rows.length;
    const days = Math.min(left, Math.max(1, Math.round(Number($("speed").value) * TICK_MS / 1000)));
    await step(days);
    if (app.runs.A && app.runs.A.rows.length >= end) {
      pause();
      say(`Day ${end}: the end of the scenario's days. Play goes on past it.`);
      return;
    }
    if (app.playing) app.timer = setTimeout(tick, TICK_MS);
  };
  tick();
}

function pause() {
  app.playing = false;
  clearTimeout(app.timer);
  $("play").textContent = "Play";
  $("play").setAttribute("aria-pressed", "false");
}

// ---- events ---------------------------------------------------------------

function addEvent(event, change) {
  const feed = $("feed");
  const item = el("li", change ? { class: "change" } : {}, event.text);
  feed.insertBefore(item, feed.firstChild);
  while (feed.children.length > 300) feed.removeChild(feed.lastChild);
}

// ---- charts ---------------------------------------------------------------

function changeDays() {
  const days = new Set();
  for (const key of ["A", "B"]) {
    const run = app.runs[key];
    if (run) for (const c of run.state.changes) days.add(c.day);
  }
  return [...days];
}

function drawChart(spec) {
  const runs = [["A", app.runs.A, ""], ["B", app.runs.B, "7 3"]].filter(([, r]) => r);
  const rows = runs[0][1].rows;
  if (spec.optional && !(rows.length && spec.series[0][0] in rows[0])) return null;
  const card = el("figure", { class: "chart", "data-chart": spec.series[0][0] });
  card.appendChild(el("h3", {}, spec.title));
  const W = 420, H = 190, L = 44, R = 10, T = 8, B = 26;
  const box = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": spec.title });
  const lastDay = Math.max(30, ...runs.map(([, r]) => r.rows.length));
  let [lo, hi] = spec.fixed || [0, 0];
  if (!spec.fixed) {
    for (const [, run] of runs) for (const row of run.rows) for (const [key] of spec.series) {
      if (row[key] !== null && row[key] > hi) hi = row[key];
    }
    hi = hi > 0 ? hi * 1.1 : 1;
  }
  const x = (d) => L + (W - L - R) * (d / lastDay);
  const y = (v) => T + (H - T - B) * (1 - (v - lo) / (hi - lo));
  for (let k = 0; k <= 4; k++) {
    const v = lo + (hi - lo) * k / 4;
    box.appendChild(svg("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: "#eee" }));
    box.appendChild(svg("text", { x: L - 4, y: y(v) + 4, "text-anchor": "end", "font-size": 10, fill: "#555" }, hi > 5 ? String(Math.round(v)) : v.toFixed(2)));
  }
  for (let k = 0; k <= 4; k++) {
    const d = Math.round(lastDay * k / 4);
    const anchor = k === 0 ? "start" : k === 4 ? "end" : "middle";
    box.appendChild(svg("text", { x: x(d), y: H - 8, "text-anchor": anchor, "font-size": 10, fill: "#555" }, k === 0 ? "day 0" : String(d)));
  }
  for (const d of changeDays()) {
    box.appendChild(svg("line", { class: "mark", x1: x(d), x2: x(d), y1: T, y2: H - B, stroke: "#555555", "stroke-dasharray": "2 2" }));
  }
  spec.series.forEach(([key], s) => {
    for (const [name, run, dash] of runs) {
      let points = [];
      const flush = () => {
        if (points.length > 1) box.appendChild(svg("polyline", { points: points.join(" "), fill: "none", stroke: name === "B" ? darker(colourOf(key, s)) : colourOf(key, s), "stroke-width": name === "B" ? 2.2 : 1.6, "stroke-dasharray": dash, "data-run": name, "data-series": key }));
        points = [];
      };
      const values = smoothed(run.rows, key);
      values.forEach((v, i) => {
        if (v === null || v === undefined) flush(); else points.push(`${x(i + 1).toFixed(1)},${y(v).toFixed(1)}`);
      });
      flush();
    }
  });
  card.appendChild(box);
  const keys = el("div", { class: "keys" });
  spec.series.forEach(([key, label], s) => {
    const item = el("span");
    const swatch = el("span", { class: "swatch" });
    swatch.style.background = colourOf(key, s);
    item.append(swatch, document.createTextNode(label));
    // The latest value of each run, named when there are two.
    const values = runs.map(([name, run]) => {
      const last = run.rows.length ? run.rows[run.rows.length - 1][key] : null;
      if (last === null || last === undefined) return null;
      return runs.length > 1 ? `${name} ${format(last)}` : format(last);
    }).filter((v) => v !== null);
    if (values.length) item.appendChild(document.createTextNode(` ${values.join(" · ")}`));
    keys.appendChild(item);
  });
  card.appendChild(keys);
  return card;
}

// ---- map ------------------------------------------------------------------

function mix(t) {
  // From a pale sky blue to Okabe–Ito blue.
  const a = [232, 244, 251], b = [0, 114, 178];
  t = Math.max(0, Math.min(1, t));
  return `rgb(${a.map((v, i) => Math.round(v + (b[i] - v) * t)).join(",")})`;
}

function scaleOf(maps, what) {
  if (what === "trust") return [0, 1];
  let hi = 0;
  for (const map of maps) for (const g of map.grids) hi = Math.max(hi, g[what]);
  return [0, hi > 0 ? hi : 1];
}

function drawMap(map, name, scale, what) {
  const figure = el("figure", { "data-run": name, "data-day": String(map.day) });
  const WIDTH = 430, GAP = 2, PAD = 5;
  const CELL = Math.max(6, Math.min(28, Math.floor(Math.sqrt(WIDTH * 260 / Math.max(1, map.grids.length)) * 0.55)));
  const box = svg("svg", { role: "group", "aria-label": `Map of run ${name}` });
  let cx = 0, cy = 0, rowH = 0;
  map.communities.forEach((community, c) => {
    const cells = map.grids.filter((g) => g.community === c);
    const cols = Math.max(1, Math.ceil(Math.sqrt(cells.length)));
    const w = Math.max(84, PAD * 2 + cols * (CELL + GAP)), h = PAD * 2 + 14 + Math.ceil(cells.length / cols) * (CELL + GAP);
    if (cx + w > WIDTH) { cx = 0; cy += rowH + 6; rowH = 0; }
    const g = svg("g", { class: "community" + (app.chosen === c ? " chosen" : ""), tabindex: "0", role: "button", transform: `translate(${cx},${cy})`,
      "aria-label": `Community ${c + 1}, ${community.kind}, ${community.residents} residents, ${community.backlog} open issues` });
    g.appendChild(svg("rect", { class: "frame", width: w - 2, height: h - 2, rx: 4, fill: "#fff", stroke: "#bbb" }));
    g.appendChild(svg("text", { x: PAD, y: PAD + 10, "font-size": 10 }, `${c + 1} ${community.kind}${community.party_committee ? " ★" : ""}`));
    cells.forEach((cell, k) => {
      const t = (cell[what] - scale[0]) / (scale[1] - scale[0]);
      const rect = svg("rect", { class: "cell", x: PAD + (k % cols) * (CELL + GAP), y: PAD + 14 + Math.floor(k / cols) * (CELL + GAP), width: CELL, height: CELL, fill: mix(t), stroke: cell.covered ? "#999" : "none", "data-value": String(cell[what]) });
      rect.appendChild(svg("title", {}, `${what}: ${format(cell[what])}`));
      g.appendChild(rect);
    });
    const choose = () => { app.chosen = c; showDetail(); renderMaps(); };
    g.addEventListener("click", choose);
    g.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); choose(); } });
    box.appendChild(g);
    cx += w + 6;
    rowH = Math.max(rowH, h);
  });
  box.setAttribute("viewBox", `0 0 ${WIDTH} ${cy + rowH + 2}`);
  box.setAttribute("width", WIDTH);
  figure.appendChild(box);
  figure.appendChild(el("figcaption", {}, `${abMode() ? "Run " + name + ", " : ""}day ${map.day}; ★ has a party committee; outlined grids have a grid worker`));
  return figure;
}

function drawLegend(scale, what) {
  const words = { backlog: "open issues per grid", trust: "mean trust", participation: "share taking part today" }[what];
  const box = svg("svg", { viewBox: "0 0 300 34", width: 300, role: "img", "aria-label": `Legend: ${words} from ${format(scale[0])} to ${format(scale[1])}` });
  for (let k = 0; k < 20; k++) box.appendChild(svg("rect", { x: 10 + k * 12, y: 4, width: 12, height: 10, fill: mix(k / 19) }));
  box.appendChild(svg("text", { x: 10, y: 28, "font-size": 10 }, format(scale[0])));
  box.appendChild(svg("text", { x: 250, y: 28, "font-size": 10, "text-anchor": "end" }, format(scale[1])));
  box.appendChild(svg("text", { x: 130, y: 28, "font-size": 10, "text-anchor": "middle" }, words));
  $("map-legend").replaceChildren(box);
}

function showDetail() {
  const box = $("detail");
  const map = app.maps && app.maps[0];
  if (app.chosen === null || !map) return;
  const c = map.communities[app.chosen];
  if (!c) return;
  box.replaceChildren(el("h3", {}, `Community ${app.chosen + 1} (${c.kind}, subdistrict ${c.subdistrict + 1})`));
  box.appendChild(el("p", {}, `${c.residents} residents, ${c.migrants} migrants, ${c.party_members} party members; ${c.backlog} open issues; party committee: ${c.party_committee ? "yes, legitimacy " + format(c.legitimacy) : "none"}; service centre: ${c.service_center ? "yes" : "no"}.`));
  const table = el("table");
  const head = el("tr");
  for (const h of ["organization", "capacity/day", "waiting effort", "tasks", "in alliance"]) head.appendChild(el("th", { scope: "col" }, h));
  table.appendChild(head);
  for (const o of c.organizations) {
    const tr = el("tr");
    tr.appendChild(el("td", {}, o.role));
    tr.appendChild(el("td", { class: "n" }, format(o.capacity)));
    tr.appendChild(el("td", { class: "n" }, format(o.backlog)));
    tr.appendChild(el("td", { class: "n" }, String(o.tasks)));
    tr.appendChild(el("td", {}, o.alliance ? "yes" : "no"));
    table.appendChild(tr);
  }
  box.appendChild(table);
}

function renderMaps() {
  if (!app.maps) return;
  const what = $("map-color").value;
  const scale = scaleOf(app.maps, what);
  const names = ["A", "B"];
  $("maps").replaceChildren(...app.maps.map((m, i) => drawMap(m, names[i], scale, what)));
  drawLegend(scale, what);
}

async function render() {
  $("day").textContent = `day ${day()}`;
  if (!app.runs.A) return;
  $("chart-list").replaceChildren(...CHARTS.map(drawChart).filter(Boolean));
  const runs = [app.runs.A, app.runs.B].filter(Boolean);
  try {
    app.maps = await Promise.all(runs.map((r) => api("GET", `/api/runs/${r.id}/map`)));
  } catch (e) {
    say(e.message);
    return;
  }
  renderMaps();
  showDetail();
}

// ---- start ----------------------------------------------------------------

async function init() {
  try {
    [app.controls, app.scenarios, app.colours] = await Promise.all(
      [api("GET", "/api/controls"), api("GET", "/api/scenarios"), api("GET", "/api/colours")]);
  } catch (e) {
    say(e.message);
    return;
  }
  const select = $("scenario");
  for (const s of app.scenarios.filter((s) => s.live)) {
    select.appendChild(el("option", { value: s.name }, `${s.name} (${s.residents.toLocaleString("en")} residents)`));
  }
  if (app.scenarios.some((s) => s.name === "classroom/small_town")) select.value = "classroom/small_town";
  buildLevers();
  select.addEventListener("change", () => { app.uploaded = null; app.levers = {}; start(); });
  $("upload").addEventListener("change", async () => {
    const file = $("upload").files[0];
    if (!file) return;
    if (file.size > 1048576) { say("a scenario file is at most 1 MiB"); return; }
    app.uploaded = await file.text();
    app.levers = {};
    start();
  });
  $("seed").addEventListener("change", start);
  $("ab").addEventListener("change", start);
  $("smooth").addEventListener("change", () => render());
  $("play").addEventListener("click", () => (app.playing ? pause() : play()));
  $("step-day").addEventListener("click", () => { pause(); step(1); });
  $("step-month").addEventListener("click", () => { pause(); step(30); });
  $("reset").addEventListener("click", start);
  $("map-color").addEventListener("change", renderMaps);
  await start();
  document.body.setAttribute("data-ready", "true");
}

init();
