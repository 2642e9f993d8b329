// Celeriac dashboard: plain modern JavaScript, no library, no build step. Every value from the server is put in the
// page with textContent (never innerHTML), so task arguments and results cannot inject markup.
"use strict";

(() => {
  const base = document.querySelector('meta[name="celeriac-base"]').content;
  const main = document.getElementById("main");
  const states = ["PENDING", "RECEIVED", "STARTED", "RETRY", "SUCCESS", "FAILURE", "REVOKED"];
  const finalStates = new Set(["SUCCESS", "FAILURE", "REVOKED"]);
  const series = [
    ["succeeded", "Succeeded", "#12b76a"],
    ["failed", "Failed", "#f04438"],
    ["retried", "Retried", "#f79009"],
    ["revoked", "Revoked", "#7a5af8"],
  ];

  // ---- small helpers ----------------------------------------------------------------------------------------

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") el.className = value;
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else if (key === "text") el.textContent = value;
      else el.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  function svg(tag, attrs) {
    const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [key, value] of Object.entries(attrs || {})) el.setAttribute(key, value);
    return el;
  }

  function badge(state) {
    return h("span", { class: `badge state-${state}`, "data-state": state }, state);
  }

  function json(value) {
    if (value === undefined || value === null) return "";
    return JSON.stringify(value, null, 2);
  }

  function inline(value) {
    if (value === undefined || value === null) return "";
    return typeof value === "string" ? value : JSON.stringify(value);
  }

  function ago(iso) {
    if (!iso) return "";
    const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
    if (seconds < 1) return "just now";
    if (seconds < 60) return `${seconds} s ago`;
    if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
    if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
    return new Date(iso).toLocaleString();
  }

  function time(iso) {
    return iso ? h("time", { datetime: iso, title: new Date(iso).toLocaleString(), "data-ago": iso }, ago(iso)) : "";
  }

  function exact(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    return `${d.toLocaleString()}.${String(d.getMilliseconds()).padStart(3, "0")}`;
  }

  function seconds(value) {
    if (value === undefined || value === null) return "";
    if (value < 0.01) return `${(value * 1000).toFixed(1)} ms`;
    return value < 1 ? `${(value * 1000).toFixed(0)} ms` : `${value.toFixed(2)} s`;
  }

  function number(value) {
    return Number(value || 0).toLocaleString();
  }

  function toast(text, bad) {
    const el = h("div", { class: bad ? "toast bad" : "toast", role: "status" }, text);
    document.getElementById("toasts").append(el);
    setTimeout(() => el.remove(), 5000);
  }

  async function api(path, options) {
    const response = await fetch(base + path, { credentials: "same-origin", ...options });
    if (response.status === 401) {
      location.href = `${base}/login?returnUrl=${encodeURIComponent(location.pathname + location.search)}`;
      throw new Error("login required");
    }
    const body = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
    if (!response.ok && !(options && options.acceptErrors)) {
      throw new Error(body?.detail || body?.title || `${response.status} ${response.statusText}`);
    }
    return { status: response.status, ok: response.ok, body };
  }

  function debounce(fn, ms) {
    let timer = 0;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), ms);
    };
  }

  // Relative times stay current without a refetch.
  setInterval(() => {
    for (const el of document.querySelectorAll("time[data-ago]")) el.textContent = ago(el.dataset.ago);
  }, 1000);

  // ---- actions --------------------------------------------------------------------------------------------------

  function confirmAction(title, text, okText) {
    const dialog = document.getElementById("confirm");
    document.getElementById("confirm-title").textContent = title;
    document.getElementById("confirm-text").textContent = text;
    document.getElementById("confirm-ok").textContent = okText;
    dialog.returnValue = "";
    dialog.showModal();
    return new Promise(resolve => dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true }));
  }

  async function revoke(task, terminate) {
    const what = terminate ? "Terminate" : "Revoke";
    const text = terminate
      ? `Stop ${task.name || "task"} ${task.id} now if it is running (SIGTERM to its worker's task), and never run it if it is not.`
      : `${task.name || "Task"} ${task.id} will not run; if it is already running, it finishes.`;
    if (!(await confirmAction(`${what} this task?`, text, what))) return;
    try {
      const result = await api(`/api/tasks/${encodeURIComponent(task.id)}/revoke${terminate ? "?terminate=true" : ""}`, {
        method: "POST",
        headers: { "X-Celeriac-Dashboard": "1" },
        acceptErrors: true,
      });
      if (result.ok) toast(`${what} requested for ${task.id}: the page shows the outcome when the worker reports it.`);
      else toast(result.body?.detail || `${what} refused (${result.status})`, true);
      if (result.body?.task) live.emit("tasks", { ids: [task.id], records: [result.body.task], more: false });
    } catch (e) {
      toast(`${what} failed: ${e.message}`, true);
    }
  }

  function actionButtons(task) {
    if (finalStates.has(task.state)) return [];
    return [
      h("button", { class: "button small", type: "button", "data-action": "revoke", onclick: () => revoke(task, false), title: "Do not run it" }, "Revoke"),
      h("button", { class: "button small danger", type: "button", "data-action": "terminate", onclick: () => revoke(task, true), title: "Stop it if running" }, "Terminate"),
    ];
  }

  // ---- live updates: server-sent events, polling when they do not get through ------------------------------------

  const live = {
    handlers: new Set(),
    mode: "connecting",
    source: null,
    pollTimer: 0,
    fallbackTimer: 0,
    on(handler) { this.handlers.add(handler); return () => this.handlers.delete(handler); },
    emit(kind, data) { for (const handler of this.handlers) handler(kind, data); },
    setMode(mode) {
      this.mode = mode;
      const el = document.getElementById("live");
      el.dataset.mode = mode;
      el.textContent = { live: "live", polling: "polling", connecting: "connecting…" }[mode];
      el.title = mode === "live" ? "Updates are pushed as they happen (server-sent events)" : mode === "polling" ? "Push is unavailable: refreshing every 2 s" : "";
    },
    start() {
      if (!("EventSource" in window)) return this.poll();
      const source = new EventSource(`${base}/api/stream`);
      this.source = source;
      source.addEventListener("open", () => {
        clearTimeout(this.fallbackTimer);
        this.fallbackTimer = 0;
        this.stopPolling();
        this.setMode("live");
        this.emit("reconnected", null);
      });
      source.addEventListener("error", () => {
        // EventSource retries by itself; when it has not got through within 3 s, poll meanwhile so nothing goes stale.
        if (!this.fallbackTimer) {
          this.fallbackTimer = setTimeout(() => {
            this.fallbackTimer = 0;
            if (source.readyState !== EventSource.OPEN) this.poll();
          }, 3000);
        }
        if (source.readyState === EventSource.CLOSED) {
          this.poll();
          setTimeout(() => this.start(), 5000);
        }
      });
      for (const kind of ["tasks", "stats", "workers"]) {
        source.addEventListener(kind, e => this.emit(kind, JSON.parse(e.data)));
      }
    },
    poll() {
      this.setMode("polling");
      if (this.pollTimer) return;
      this.pollTimer = setInterval(() => this.emit("poll", null), 2000);
    },
    stopPolling() {
      clearInterval(this.pollTimer);
      this.pollTimer = 0;
    },
  };

  // ---- the throughput chart (inline SVG) --------------------------------------------------------------------------

  function chart(throughput) {
    const width = Math.max(480, Math.round(main.clientWidth - 84)), height = 130, left = 36, bottom = 18, top = 8;
    const el = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": "Tasks per second by outcome" });
    const points = throughput.succeeded.length;
    const max = Math.max(1, ...series.flatMap(([key]) => throughput[key]));
    const niceMax = max <= 1 ? 1 : max <= 5 ? Math.ceil(max) : Math.ceil(max / 5) * 5;
    const x = i => left + (i / Math.max(1, points - 1)) * (width - left - 4);
    const y = v => top + (1 - v / niceMax) * (height - top - bottom);
    for (const v of [0, niceMax / 2, niceMax]) {
      el.append(svg("line", { x1: left, x2: width - 4, y1: y(v), y2: y(v), class: "axis" }));
      const label = svg("text", { x: left - 6, y: y(v) + 3, "text-anchor": "end" });
      label.textContent = Number.isInteger(v) ? v : v.toFixed(1);
      el.append(label);
    }
    const minutes = Math.round((points * throughput.bucketSeconds) / 60);
    for (let m = minutes; m >= 0; m -= Math.max(1, Math.round(minutes / 5))) {
      const i = points - 1 - Math.round((m * 60) / throughput.bucketSeconds);
      const label = svg("text", { x: x(Math.max(0, i)), y: height - 4, "text-anchor": m === 0 ? "end" : "middle" });
      label.textContent = m === 0 ? "now" : `−${m} min`;
      el.append(label);
    }
    for (const [key, , color] of series) {
      const values = throughput[key];
      if (!values.some(v => v > 0)) continue;
      const path = values.map((v, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join("");
      el.append(svg("path", { d: `${path}L${x(points - 1)},${y(0)}L${x(0)},${y(0)}Z`, fill: color, "fill-opacity": "0.08", stroke: "none" }));
      el.append(svg("path", { d: path, fill: "none", stroke: color, "stroke-width": "1.8", "stroke-linejoin": "round", "data-series": key }));
    }
    return el;
  }

  function chartCard(throughput) {
    const totals = Object.fromEntries(series.map(([key]) => [key, throughput[key].slice(-12).reduce((a, b) => a + b, 0) / 12]));
    return h("div", { class: "card", id: "throughput" },
      h("h2", {}, "Throughput ", h("span", { class: "muted small" }, `tasks/s by outcome, last ${Math.round(throughput.succeeded.length * throughput.bucketSeconds / 60)} minutes`)),
      chart(throughput),
      h("div", { class: "legend" }, series.map(([key, label, color]) =>
        h("span", {}, h("i", { class: "swatch", "data-color": color }), `${label} ${totals[key].toFixed(1)}/s`))));
  }

  function colorSwatches(root) {
    // Colours set through the CSSOM: the page's content security policy allows no inline style attributes.
    for (const el of root.querySelectorAll("[data-color]")) el.style.background = el.dataset.color;
  }

  // ---- the task list -----------------------------------------------------------------------------------------

  function taskListView() {
    const params = new URLSearchParams(location.search);
    const filters = { state: params.get("state") || "", q: params.get("q") || "", name: params.get("name") || "", worker: params.get("worker") || "", from: params.get("from") || "", to: params.get("to") || "" };
    let rows = [];
    let next = null;
    let shown = 50;
    const countsEl = h("div", { class: "counts", id: "counts" });
    const chartEl = h("div", {});
    const tbody = h("tbody", { id: "task-rows" });
    const moreEl = h("div", { class: "more" });
    const emptyEl = h("div", { class: "empty hidden", id: "no-tasks" }, "No tasks match.");

    const search = h("input", { type: "search", id: "filter-q", placeholder: "Search id, arguments, result…", value: filters.q, "aria-label": "Search" });
    const stateSelect = h("select", { id: "filter-state", "aria-label": "State" }, h("option", { value: "" }, "Any state"), states.map(s => h("option", { value: s, selected: s === filters.state }, s)));
    const nameInput = h("input", { type: "text", id: "filter-name", placeholder: "Task name", value: filters.name, "aria-label": "Task name", size: 16 });
    const workerInput = h("input", { type: "text", id: "filter-worker", placeholder: "Worker", value: filters.worker, "aria-label": "Worker", size: 16 });
    const fromInput = h("input", { type: "datetime-local", id: "filter-from", value: localInput(filters.from), "aria-label": "From", title: "Created from" });
    const toInput = h("input", { type: "datetime-local", id: "filter-to", value: localInput(filters.to), "aria-label": "To", title: "Created before" });

    function localInput(iso) {
      if (!iso) return "";
      const d = new Date(iso);
      return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    }

    function applyFilters() {
      filters.q = search.value.trim();
      filters.state = stateSelect.value;
      filters.name = nameInput.value.trim();
      filters.worker = workerInput.value.trim();
      filters.from = fromInput.value ? new Date(fromInput.value).toISOString() : "";
      filters.to = toInput.value ? new Date(toInput.value).toISOString() : "";
      const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
      history.replaceState(null, "", `${base}/${query.size ? "?" + query : ""}`);
      shown = 50;
      load();
      renderCounts(lastCounts);
    }

    const applyDebounced = debounce(applyFilters, 250);
    for (const el of [search, nameInput, workerInput]) el.addEventListener("input", applyDebounced);
    for (const el of [stateSelect, fromInput, toInput]) el.addEventListener("change", applyFilters);

    function query(limit, cursor) {
      const q = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
      q.set("limit", String(limit));
      if (cursor) q.set("cursor", cursor);
      return q;
    }

    let loading = null;
    async function load() {
      const request = query(Math.min(shown, 500));
      const key = request.toString();
      loading = key;
      try {
        const { body } = await api(`/api/tasks?${request}`);
        if (loading !== key) return;
        rows = body.items;
        next = body.nextCursor || null;
        render();
      } catch (e) {
        toast(`Could not load tasks: ${e.message}`, true);
      }
    }

    async function loadMore() {
      if (!next) return;
      const { body } = await api(`/api/tasks?${query(50, next)}`);
      rows = rows.concat(body.items);
      shown = rows.length;
      next = body.nextCursor || null;
      render();
    }

    function row(task) {
      const outcome = task.exception ? `${task.exception.type}: ${task.exception.message}` : inline(task.result);
      return h("tr", { "data-task-id": task.id, "data-state": task.state },
        h("td", {}, badge(task.state)),
        h("td", { class: "truncate" }, task.name || h("span", { class: "muted" }, "unknown")),
        h("td", { class: "mono nowrap" }, h("a", { href: `${base}/tasks/${encodeURIComponent(task.id)}`, "data-link": true, title: task.id }, task.id.slice(0, 8) + "…")),
        h("td", { class: "mono truncate", title: inline(task.args) + " " + inline(task.kwargs) }, inline(task.args), task.kwargs && Object.keys(task.kwargs).length ? " " + inline(task.kwargs) : ""),
        h("td", { class: task.exception ? "mono truncate error-text" : "mono truncate", title: outcome }, outcome),
        h("td", { class: "truncate" }, task.worker || ""),
        h("td", { class: "nowrap" }, time(task.timeline.created)),
        h("td", { class: "num nowrap" }, seconds(task.runtime)),
        h("td", { class: "actions" }, task.revoke && !finalStates.has(task.state) ? h("span", { class: "muted small", title: "A revoke was requested" }, "revoke requested ") : "", actionButtons(task)));
    }

    function render() {
      tbody.replaceChildren(...rows.map(row));
      emptyEl.classList.toggle("hidden", rows.length > 0);
      moreEl.replaceChildren(next ? h("button", { class: "button", type: "button", onclick: loadMore }, "Load more") : "");
    }

    let lastCounts = null;
    function renderCounts(counts) {
      if (!counts) return;
      lastCounts = counts;
      const chip = (state, value) => h("button", {
        class: `count${filters.state === state || (!filters.state && state === "") ? " active" : ""}`, type: "button", "data-count": state || "ALL",
        onclick: () => { stateSelect.value = state; applyFilters(); },
      }, h("div", { class: "label" }, h("i", { class: `dot ${state || "ALL"}` }), state || "ALL"), h("div", { class: "value" }, number(value)));
      countsEl.replaceChildren(chip("", counts.total), ...states.map(s => chip(s, counts.states[s])));
    }

    async function loadStats() {
      const { body } = await api("/api/stats");
      renderCounts(body.counts);
      chartEl.replaceChildren(chartCard(body.throughput));
      colorSwatches(chartEl);
    }

    const refresh = debounce(load, 200);
    const off = live.on((kind, data) => {
      if (kind === "tasks") {
        // Rows on the page change in place; anything else (a new task, a task now matching) refetches the page.
        let missing = data.more;
        for (const task of data.records) {
          const index = rows.findIndex(r => r.id === task.id);
          if (index >= 0 && matches(task)) {
            rows[index] = task;
            const old = tbody.querySelector(`tr[data-task-id="${CSS.escape(task.id)}"]`);
            const updated = row(task);
            updated.classList.add("flash");
            old?.replaceWith(updated);
          } else {
            missing = true;
          }
        }
        if (missing) refresh();
      } else if (kind === "stats") {
        renderCounts(data.counts);
        chartEl.replaceChildren(chartCard(data.throughput));
        colorSwatches(chartEl);
      } else if (kind === "poll" || kind === "reconnected") {
        load();
        loadStats();
      }
    });

    // A record still on the page that no longer matches its filters (e.g. state) is refetched, not shown wrong.
    function matches(task) {
      return (!filters.state || task.state === filters.state) && (!filters.name || task.name === filters.name) && (!filters.worker || task.worker === filters.worker);
    }

    main.replaceChildren(
      h("h1", {}, "Tasks"),
      countsEl,
      h("div", { class: "section" }, chartEl),
      h("div", { class: "card section" },
        h("div", { class: "filters" }, search, stateSelect, nameInput, workerInput, fromInput, toInput,
          h("button", { class: "button", type: "button", onclick: () => { search.value = nameInput.value = workerInput.value = fromInput.value = toInput.value = ""; stateSelect.value = ""; applyFilters(); } }, "Clear")),
        h("table", {}, h("thead", {}, h("tr", {}, ["State", "Name", "Id", "Arguments", "Result", "Worker", "Created", "Runtime", ""].map(t => h("th", { class: t === "Runtime" ? "num" : "" }, t)))), tbody),
        emptyEl, moreEl));
    load();
    loadStats().catch(e => toast(`Could not load counts: ${e.message}`, true));
    return off;
  }

  // ---- one task ------------------------------------------------------------------------------------------------

  function taskView(id) {
    let task = null;
    const container = h("div", {});

    function timeline(t) {
      const steps = [
        ["Created", t.timeline.created, "PENDING"],
        ["Sent (PENDING)", t.timeline.pending, "PENDING"],
        ["Received by a worker", t.timeline.received, "RECEIVED"],
        ["Started", t.timeline.started, "STARTED"],
        ["Retry scheduled", t.timeline.retried, "RETRY"],
        [t.revoke ? `Revoke requested${t.revoke.terminate ? " (terminate)" : ""}` : null, t.revoke?.requestedAt, "REVOKED"],
        [finalStates.has(t.state) ? `Finished: ${t.state}` : null, t.timeline.finished, t.state],
      ].filter(([label, at]) => label && at).sort((a, b) => Date.parse(a[1]) - Date.parse(b[1]));
      let previous = null;
      return h("ol", { class: "timeline", id: "timeline" }, steps.map(([label, at, state]) => {
        const delta = previous ? (Date.parse(at) - previous) / 1000 : null;
        previous = Date.parse(at);
        const marker = h("span", { class: `marker dot ${state}` });
        return h("li", { "data-step": label }, marker, h("div", {}, h("span", { class: "what" }, label), delta !== null ? h("span", { class: "delta" }, `+${seconds(delta)}`) : ""), h("div", { class: "when" }, exact(at)));
      }));
    }

    function render() {
      const t = task;
      const details = [
        ["Id", h("span", { class: "mono" }, t.id)],
        ["Name", t.name || "unknown"],
        ["State", badge(t.state)],
        ["Worker", t.worker ? h("a", { href: `${base}/?worker=${encodeURIComponent(t.worker)}`, "data-link": true }, t.worker) : "—"],
        ["Runtime", t.runtime !== undefined && t.runtime !== null ? seconds(t.runtime) : "—"],
        ["Retries", String(t.retries || 0)],
        ["Revoke", t.revoke ? `requested ${exact(t.revoke.requestedAt)}${t.revoke.terminate ? ", terminate" : ""}` : "—"],
        ["ETA", t.eta ? exact(t.eta) : "—"],
        ["Expires", t.expires ? exact(t.expires) : "—"],
        ["Parent", t.parentId ? h("a", { href: `${base}/tasks/${encodeURIComponent(t.parentId)}`, "data-link": true, class: "mono" }, t.parentId) : "—"],
        ["Root", t.rootId && t.rootId !== t.id ? h("a", { href: `${base}/tasks/${encodeURIComponent(t.rootId)}`, "data-link": true, class: "mono" }, t.rootId) : "—"],
        ["Updated", t.timeline.updated ? time(t.timeline.updated) : "—"],
      ];
      const sections = [
        h("div", { class: "card" }, h("h2", {}, "Arguments"), h("pre", { id: "task-args" }, json(t.args) || "[]")),
        h("div", { class: "card" }, h("h2", {}, "Keyword arguments"), h("pre", { id: "task-kwargs" }, json(t.kwargs) || "{}")),
      ];
      if (t.result !== undefined) sections.unshift(h("div", { class: "card" }, h("h2", {}, "Result"), h("pre", { id: "task-result" }, json(t.result))));
      if (t.exception) {
        sections.unshift(h("div", { class: "card" }, h("h2", {}, "Exception"),
          h("pre", { class: "error", id: "task-exception" }, `${t.exception.module ? t.exception.module + "." : ""}${t.exception.type}: ${t.exception.message}`),
          t.traceback ? h("h2", { class: "sub" }, "Traceback") : "", t.traceback ? h("pre", { class: "error", id: "task-traceback" }, t.traceback) : ""));
      }
      container.replaceChildren(
        h("a", { href: `${base}/`, "data-link": true, class: "back" }, "← Tasks"),
        h("h1", {}, t.name || "Task", badge(t.state), h("span", { class: "spacer" }), actionButtons(t)),
        h("div", { class: "grid two" },
          h("div", { class: "stack" }, sections),
          h("div", { class: "stack" },
            h("div", { class: "card" }, h("h2", {}, "Timeline"), timeline(t)),
            h("div", { class: "card" }, h("h2", {}, "Details"), h("dl", { class: "kv" }, details.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]))))));
    }

    async function load() {
      try {
        const { body } = await api(`/api/tasks/${encodeURIComponent(id)}`);
        task = body;
        render();
      } catch (e) {
        container.replaceChildren(h("a", { href: `${base}/`, "data-link": true, class: "back" }, "← Tasks"), h("div", { class: "card empty" }, `Task ${id}: ${e.message}`));
      }
    }

    const off = live.on((kind, data) => {
      if (kind === "tasks") {
        const updated = data.records.find(r => r.id === id);
        if (updated?.truncated) {
          // Live updates cut long arguments and results; this page shows them whole.
          load();
        } else if (updated && (!task || updated.timeline.updated >= (task.timeline.updated || ""))) {
          task = updated;
          render();
        } else if (data.more && data.ids.includes(id)) {
          load();
        }
      } else if (kind === "poll" || kind === "reconnected") {
        load();
      }
    });
    main.replaceChildren(container);
    load();
    return off;
  }

  // ---- workers -------------------------------------------------------------------------------------------------

  function workersView() {
    const container = h("div", { class: "workers", id: "workers" });
    const summary = h("p", { class: "muted" });

    function card(w) {
      const load = (w.loadAverage || []).map(v => v.toFixed(2)).join(" · ") || "—";
      return h("div", { class: "card worker", "data-worker": w.hostname, "data-online": String(w.online) },
        h("h2", {}, h("span", { class: "name", title: w.hostname }, w.hostname), h("span", { class: `status ${w.online ? "online" : "offline"}` }, w.online ? "online" : "offline")),
        h("div", { class: "muted small" }, [w.software, w.version, w.system].filter(Boolean).join(" "), ` · heartbeat every ${w.frequency} s`),
        h("div", { class: "stats" },
          h("div", { class: "stat" }, h("div", { class: "label" }, "Active"), h("div", { class: "value", "data-field": "active" }, number(w.active))),
          h("div", { class: "stat" }, h("div", { class: "label" }, "Processed"), h("div", { class: "value", "data-field": "processed" }, number(w.processed))),
          h("div", { class: "stat" }, h("div", { class: "label" }, "Load"), h("div", { class: "value load" }, load))),
        h("dl", { class: "kv" },
          h("dt", {}, w.online ? "Last heartbeat" : "Last heard"), h("dd", {}, time(w.lastSeen)),
          w.offlineAt ? [h("dt", {}, "Went offline"), h("dd", {}, time(w.offlineAt))] : "",
          h("dt", {}, "First seen"), h("dd", {}, time(w.firstSeen)),
          h("dt", {}, "Tasks"), h("dd", {}, h("a", { href: `${base}/?worker=${encodeURIComponent(w.hostname)}`, "data-link": true }, "show this worker's tasks"))));
    }

    function render(workers) {
      const online = workers.filter(w => w.online).length;
      summary.textContent = workers.length
        ? `${online} online, ${workers.length - online} offline. Kept across restarts of this server; online means a heartbeat within two intervals.`
        : "No worker has reported yet. Workers appear with their first heartbeat (every 2 s).";
      container.replaceChildren(...workers.map(card));
    }

    async function load() {
      try {
        render((await api("/api/workers")).body);
      } catch (e) {
        toast(`Could not load workers: ${e.message}`, true);
      }
    }

    const off = live.on((kind, data) => {
      if (kind === "workers") render(data);
      else if (kind === "poll" || kind === "reconnected") load();
    });
    main.replaceChildren(h("h1", {}, "Workers"), summary, container);
    load();
    return off;
  }

  // ---- broker --------------------------------------------------------------------------------------------------

  function brokerView() {
    const tbody = h("tbody", { id: "queue-rows" });
    const notice = h("div", { class: "notice hidden" });
    const peek = h("div", { class: "section", id: "parked" });

    async function load() {
      try {
        const { body } = await api("/api/broker/queues");
        notice.classList.add("hidden");
        tbody.replaceChildren(...body.map(q => h("tr", { class: q.parked ? "parked" : "", "data-queue": q.name },
          h("td", {}, q.name, q.parked ? h("span", { class: "muted small" }, "  parked messages") : ""),
          h("td", { class: "num" }, number(q.ready)), h("td", { class: "num" }, number(q.unacknowledged)), h("td", { class: "num" }, number(q.messages)),
          h("td", { class: "num" }, number(q.consumers)),
          h("td", { class: "actions" }, q.parked && q.messages > 0 ? h("button", { class: "button small", type: "button", onclick: () => show(q.name) }, "Look") : ""))));
        if (!body.length) tbody.replaceChildren(h("tr", {}, h("td", { colspan: 6, class: "empty" }, "No task queues yet.")));
      } catch (e) {
        notice.textContent = e.message;
        notice.classList.remove("hidden");
      }
    }

    async function show(name) {
      try {
        const { body } = await api(`/api/broker/queues/${encodeURIComponent(name)}/messages?count=20`);
        peek.replaceChildren(h("div", { class: "card" }, h("h2", {}, `Parked in ${name} `, h("span", { class: "muted small" }, `first ${body.length}, left in the queue`)),
          ...body.map(m => h("div", { class: "section parked-message" },
            h("dl", { class: "kv" },
              h("dt", {}, "Reason"), h("dd", {}, m.reason || "—"),
              h("dt", {}, "Task"), h("dd", {}, m.taskId ? [m.taskName || "", " ", h("a", { href: `${base}/tasks/${encodeURIComponent(m.taskId)}`, "data-link": true, class: "mono" }, m.taskId)] : "—"),
              h("dt", {}, "Routing key"), h("dd", { class: "mono" }, m.routingKey)),
            h("pre", {}, json(m.headers)),
            h("pre", {}, m.payloadEncoding === "string" ? pretty(m.payload) : `(${m.payloadEncoding}) ${m.payload}`)))));
      } catch (e) {
        toast(e.message, true);
      }
    }

    function pretty(text) {
      try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
    }

    const timer = setInterval(load, 3000);
    main.replaceChildren(h("h1", {}, "Broker"), notice,
      h("div", { class: "card" }, h("h2", {}, "Queues ", h("span", { class: "muted small" }, "from RabbitMQ's management API, every 3 s")),
        h("table", {}, h("thead", {}, h("tr", {}, ["Queue", "Ready", "Unacked", "Total", "Consumers", ""].map(t => h("th", { class: t && t !== "Queue" ? "num" : "" }, t)))), tbody)),
      peek);
    load();
    return () => clearInterval(timer);
  }

  // ---- routing ---------------------------------------------------------------------------------------------------

  let leave = () => {};
  function route() {
    leave();
    const path = location.pathname.startsWith(base) ? location.pathname.slice(base.length) : "/";
    const taskMatch = path.match(/^\/tasks\/(.+)$/);
    const page = taskMatch ? "tasks" : path.startsWith("/workers") ? "workers" : path.startsWith("/broker") ? "broker" : "tasks";
    for (const a of document.querySelectorAll("[data-nav]")) a.classList.toggle("active", a.dataset.nav === page);
    document.title = `${taskMatch ? "Task" : page[0].toUpperCase() + page.slice(1)} · Celeriac`;
    leave = taskMatch ? taskView(decodeURIComponent(taskMatch[1])) : page === "workers" ? workersView() : page === "broker" ? brokerView() : taskListView();
    window.scrollTo(0, 0);
  }

  document.addEventListener("click", e => {
    const a = e.target.closest("a[data-link]");
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    history.pushState(null, "", a.href);
    route();
  });
  window.addEventListener("popstate", route);

  live.setMode("connecting");
  live.start();
  route();
})();
