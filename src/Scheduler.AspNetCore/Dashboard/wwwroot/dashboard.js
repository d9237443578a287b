// Scheduler dashboard: plain script over the admin API (relative URLs under this page's prefix). The API key the user enters is kept in
// sessionStorage (this tab only) and sent as X-Api-Key; on loopback the node needs none unless configured otherwise.
"use strict";

const KEY = "scheduler-admin-key";
// The cluster view aggregates the whole instances table on the server: it is fetched every 15 s, the rest every 5 s.
const CLUSTER_EVERY_MS = 15000;
const state = { selectedTask: null, taskFilter: "", tasksShown: 100, instanceState: "Dispatched", instancesShown: 50, recurringShown: 50, busy: false, clusterAt: 0, deadLetters: [] };

function $(id) { return document.getElementById(id); }

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value); else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child ?? "");
  return node;
}

function time(iso) { return iso ? iso.replace("T", " ").replace(/(\.\d{3})\d*/, "$1").replace(/\+00:00$|Z$/, "") : ""; }
// Ids are time-ordered (version 7) GUIDs, whose first digits are alike for ids made close together: show the random tail.
function short(id) { return id ? "…" + id.slice(-12) : ""; }
// A task's end conditions: "until <EndAt>", "<N> times (last <time>)".
function ends(task) {
  const parts = [];
  if (task.endAt) parts.push(`until ${time(task.endAt)}`);
  if (task.maxOccurrences) parts.push(`${task.maxOccurrences} times` + (task.lastFireTime ? ` (last ${time(task.lastFireTime)})` : ""));
  return parts.join("; ");
}

// The trigger as written, with the calendar whose times it skips ("… except holidays") unless the phrase names it already.
function shownTrigger(task) {
  const shown = task.triggerPhrase || task.trigger;
  return task.calendar && !shown.includes(`except ${task.calendar}`) ? `${shown} except ${task.calendar}` : shown;
}

function status(text, error) {
  const s = $("status");
  s.textContent = text;
  s.className = error ? "error" : "";
}

async function api(path, method, payload) {
  const headers = { "Accept": "application/json" };
  const key = sessionStorage.getItem(KEY);
  if (key) headers["X-Api-Key"] = key;
  if (payload !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch("api/" + path, { method: method || "GET", headers, body: payload === undefined ? undefined : JSON.stringify(payload) });
  const body = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  if (!response.ok) {
    const detail = body?.detail || response.statusText;
    const hint = response.status === 401 ? " Enter an API key above." : response.status === 403 ? " This key may only read." : "";
    throw new Error(`${response.status}: ${detail}${hint}`);
  }
  return body;
}

// A node's run as its tooltip: release, start, last sign of life, clock offset.
function nodeTitle(n) {
  return [n.version && `release ${n.version}`, n.startedAt && `started ${time(n.startedAt)}`, n.seenAt && `last seen ${time(n.seenAt)}`,
    n.clockOffsetMs !== null && n.clockOffsetMs !== undefined && `clock offset ${n.clockOffsetMs.toFixed(1)} ms`].filter(Boolean).join(", ");
}

function chart(svg, series, colors, kind) {
  const width = 600, height = 120, pad = 14;
  const n = series[0].length;
  const max = Math.max(1, ...series.flat().filter(v => v !== null));
  svg.replaceChildren();
  const x = i => (i * (width - 2)) / Math.max(1, n) + 1;
  const y = v => height - pad - ((height - 2 * pad) * v) / max;
  series.forEach((values, s) => {
    if (kind === "bars") {
      const w = (width - 2) / Math.max(1, n) / series.length;
      values.forEach((v, i) => {
        if (!v) return;
        svg.append(svgEl("rect", { x: x(i) + s * w, y: y(v), width: Math.max(1, w - 1), height: height - pad - y(v), fill: colors[s] }));
      });
    } else {
      const points = values.map((v, i) => v === null ? null : `${x(i) + 2},${y(v)}`).filter(p => p).join(" ");
      if (points) svg.append(svgEl("polyline", { points, fill: "none", stroke: colors[s], "stroke-width": 2 }));
    }
  });
  const label = svgEl("text", { x: 4, y: 11, "font-size": 10, fill: "#57606a" });
  label.textContent = `max ${Math.round(max)}`;
  svg.append(label);
}

function svgEl(tag, attributes) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

async function loadCluster() {
  if (Date.now() - state.clusterAt < CLUSTER_EVERY_MS) return;
  const view = await api("cluster?minutes=60&bucketSeconds=60");
  state.clusterAt = Date.now();
  $("clock").textContent = time(view.now) + " UTC";
  $("backlog").textContent = view.backlogDueNow;
  $("oldest-due").textContent = view.oldestDueAt ? "oldest due " + time(view.oldestDueAt) : "";
  const activity = view.activity;
  const sum = f => activity.reduce((total, b) => total + f(b), 0);
  $("completed-hour").textContent = sum(b => b.completed);
  $("failed-hour").textContent = sum(b => b.failed);
  const dispatched = sum(b => b.dispatched);
  $("lateness-hour").textContent = dispatched ? Math.round(sum(b => (b.meanLatenessMs || 0) * b.dispatched) / dispatched) + " ms" : "–";
  $("nodes").replaceChildren(...(view.nodes.length
    ? view.nodes.map(n => el("li", { "data-node": n.nodeId, class: n.live ? null : "bad", title: nodeTitle(n) },
        `${n.nodeId}: ${n.held} held` + (n.version ? ` · ${n.version.split("+")[0]}` : "")
        + (n.live ? "" : n.seenAt ? " · stopped ticking" : " · no run recorded")))
    : [el("li", {}, "none")]));
  chart($("chart-throughput"), [activity.map(b => b.completed), activity.map(b => b.failed)], ["#2e7d32", "#c62828"], "bars");
  chart($("chart-lateness"), [activity.map(b => b.meanLatenessMs), activity.map(b => b.maxLatenessMs)], ["#2e7d32", "#ef6c00"], "lines");
  chart($("chart-backlog"), [activity.map(b => b.backlog)], ["#0969da"], "lines");
}

function actionButtons(task) {
  const act = (action, label) => el("button", { "data-action": action, onclick: event => { event.stopPropagation(); write(task.taskId, action); } }, label);
  const remove = el("button", { "data-action": "delete", onclick: event => { event.stopPropagation(); deleteTask(task.taskId); } }, "Delete");
  if (task.state === "Cancelled") return [remove];
  const buttons = [task.state === "Paused" ? act("resume", "Resume") : act("pause", "Pause"), act("trigger", "Trigger now"), act("cancel", "Cancel")];
  return task.state === "Finished" ? [...buttons.filter(b => b.dataset.action !== "pause"), remove] : buttons;
}

async function loadTasks() {
  const filter = state.taskFilter ? `&state=${encodeURIComponent(state.taskFilter)}` : "";
  const list = await api(`tasks?pageSize=${state.tasksShown}${filter}`);
  const rows = list.tasks.map(task => el("tr", {
      "data-task-id": task.taskId, class: task.taskId === state.selectedTask ? "selected" : null,
      onclick: () => { state.selectedTask = task.taskId; refresh(); },
    },
    el("td", { class: "id", title: task.taskId }, short(task.taskId)),
    el("td", { class: "trigger", title: task.trigger + (task.jitter ? ` (jitter ${task.jitter})` : "") }, shownTrigger(task)),
    el("td", {}, task.timeZone),
    el("td", { class: `state state-${task.state}` }, task.state),
    el("td", { class: "next-fire" }, time(task.nextFireTime)),
    el("td", { class: "ends" }, ends(task)),
    el("td", { class: "metadata" }, Object.entries(task.metadata).map(([k, v]) => `${k}=${v}`).join(", ")),
    el("td", {}, ...actionButtons(task))));
  $("tasks").tBodies[0].replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 8 }, "No tasks."))]));
  $("more-tasks").hidden = !list.nextPageToken;
}

async function loadInstances() {
  const section = $("instances-section");
  if (!state.selectedTask) { section.hidden = true; return; }
  section.hidden = false;
  $("instances-title").textContent = `Instances of task ${state.selectedTask}`;
  // The task's next fire times that will fire (planned instances not begun, then its trigger's), as GET tasks/{id} gives them.
  const [task, list] = await Promise.all([api(`tasks/${state.selectedTask}?upcoming=5`), api(`tasks/${state.selectedTask}/instances?pageSize=50`)]);
  const upcoming = task.upcomingFireTimes || [];
  $("upcoming").replaceChildren(...(upcoming.length
    ? upcoming.flatMap((fire, i) => [...(i ? [", "] : []), el("time", { datetime: fire }, time(fire))])
    : ["none"]));
  const rows = list.instances.map(i => el("tr", { "data-instance-id": i.instanceId },
    el("td", { class: "id", title: i.instanceId }, short(i.instanceId)),
    el("td", {}, time(i.fireTime)),
    el("td", { class: `state state-${i.state}` }, i.state),
    el("td", {}, attemptsToggle(i)),
    el("td", {}, time(i.dispatchedAt)),
    el("td", {}, time(i.completedAt)),
    el("td", {}, time(i.failedAt)),
    el("td", { class: "error" }, i.lastError || ""),
    // Waiting for its retry backoff (Scheduled after a failed attempt): due now on a click, its attempts kept.
    el("td", {}, ...(i.state === "Scheduled" && i.attempt >= 1
      ? [el("button", { "data-action": "retry", onclick: () => retryNow(i.instanceId) }, "Retry now")] : []))))
    .flatMap((row, n) => state.openAttempts.has(list.instances[n].instanceId) ? [row, attemptsRow(list.instances[n], 9)] : [row]);
  $("instances").tBodies[0].replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 9 }, "No instances yet."))]));
}

// An instance's attempt history (GET tasks/{id}/instances carries it, as GetTaskInstances): its attempt count opens a row under it with every
// attempt (node, times, duration, outcome, worker, error), kept open across refreshes.
state.openAttempts = new Set();

function attemptsToggle(i) {
  const open = state.openAttempts.has(i.instanceId);
  return el("button", {
    "data-action": "attempts", "aria-expanded": String(open), title: open ? "Hide its attempts" : "Show its attempts",
    onclick: () => { if (open) state.openAttempts.delete(i.instanceId); else state.openAttempts.add(i.instanceId); loadInstances(); },
  }, `${i.attempt} / ${i.maxAttempts} ${open ? "▾" : "▸"}`);
}

// A TimeSpan as System.Text.Json writes it ("[d.]hh:mm:ss[.fffffff]") in seconds, or as written from a minute on.
function duration(span) {
  const m = span && /^(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(span);
  if (!m) return span || "";
  const seconds = (+(m[1] || 0)) * 86400 + (+m[2]) * 3600 + (+m[3]) * 60 + (+m[4]);
  return seconds < 60 ? `${+seconds.toFixed(3)} s` : span;
}

function attemptsRow(i, columns) {
  const rows = (i.attempts || []).map(a => el("tr", { "data-attempt": String(a.attempt) },
    el("td", {}, String(a.attempt)),
    el("td", {}, a.claimedBy || ""),
    el("td", {}, time(a.claimedAt)),
    el("td", {}, time(a.dispatchedAt)),
    el("td", {}, time(a.startedAt)),
    el("td", {}, time(a.finishedAt)),
    el("td", {}, duration(a.duration)),
    el("td", { class: `outcome outcome-${a.outcome || "running"}` }, a.outcome || (a.claimedAt ? "running" : "")),
    el("td", {}, a.worker || ""),
    el("td", { class: "error" }, a.error || "")));
  const header = ["Attempt", "Claimed by", "Claimed", "Dispatched", "Started", "Finished", "Duration", "Outcome", "Worker", "Error"];
  return el("tr", { class: "attempts", "data-attempts-of": i.instanceId }, el("td", { colspan: columns },
    el("table", { class: "attempts" },
      el("thead", {}, el("tr", {}, ...header.map(h => el("th", {}, h)))),
      el("tbody", {}, ...(rows.length ? rows : [el("tr", {}, el("td", { colspan: header.length }, "No attempt recorded yet."))])))));
}

// The instances of every task in one state (what runs now, what failed today...), latest fire time first; "More" shows the next page.
async function loadInstancesByState() {
  const filter = (state.instanceState ? `&state=${encodeURIComponent(state.instanceState)}` : "") + instanceFilters();
  const list = await api(`instances?pageSize=${state.instancesShown}${filter}`);
  const rows = list.instances.map(e => el("tr", { "data-instance-id": e.instance.instanceId },
    el("td", { class: "id", title: e.taskId, onclick: () => { state.selectedTask = e.taskId; refresh(); } }, short(e.taskId)),
    el("td", { title: e.instance.instanceId }, short(e.instance.instanceId)),
    el("td", {}, time(e.instance.fireTime)),
    el("td", { class: `state state-${e.instance.state}` }, e.instance.state),
    el("td", {}, `${e.instance.attempt} / ${e.instance.maxAttempts}`),
    el("td", {}, time(e.instance.dispatchedAt)),
    el("td", {}, time(e.instance.completedAt || e.instance.failedAt)),
    el("td", { class: "error" }, e.instance.lastError || "")));
  $("by-state").tBodies[0].replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 8 }, "None."))]));
  $("more-by-state").hidden = !list.nextPageToken;
  state.instancesListed = list.instances.length;
  state.instancesLatest = list.instances[0]?.instance.fireTime;
  // Each only where it can apply: delete to finished states, retry now to Scheduled ones (or every state: the others are left alone).
  $("delete-all-shown").hidden = !list.instances.length || ["Scheduled", "Claimed", "Dispatched"].includes(state.instanceState);
  $("retry-all-shown").hidden = !list.instances.length || !["", "Scheduled"].includes(state.instanceState);
}

async function loadDeadLetters() {
  const list = await api("dead-letters?pageSize=50");
  const rows = list.deadLetters.map(d => el("tr", { "data-instance-id": d.instance.instanceId },
    el("td", { class: "id", title: d.taskId, onclick: () => { state.selectedTask = d.taskId; refresh(); } }, short(d.taskId)),
    el("td", { title: d.instance.instanceId }, short(d.instance.instanceId)),
    el("td", {}, time(d.instance.fireTime)),
    el("td", {}, time(d.instance.failedAt)),
    el("td", {}, `${d.instance.attempt} / ${d.instance.maxAttempts}`),
    el("td", { class: "error" }, d.instance.lastError || ""),
    el("td", {}, el("button", { "data-action": "requeue", onclick: () => requeue(d.instance.instanceId) }, "Requeue"))));
  $("dead-letters").tBodies[0].replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 7 }, "No dead letters."))]));
  state.deadLetters = list.deadLetters;
  $("requeue-all").hidden = rows.length === 0;
}

// The dead letters shown, requeued through the filter (POST api/dead-letters/requeue with a filter): those that dead-lettered from the
// oldest shown to the newest shown (the list is the newest first), at most as many as are shown, each due now with a fresh attempt budget.
async function requeueAll() {
  const shown = state.deadLetters;
  if (!shown.length) return;
  const failedAt = shown.map(d => Date.parse(d.instance.failedAt));
  const filter = {
    since: new Date(Math.min(...failedAt)).toISOString(),
    until: new Date(Math.max(...failedAt) + 1).toISOString(), // the browser keeps milliseconds: past the newest's microseconds
    limit: shown.length,
  };
  let message, failed = false;
  try {
    const result = await api("dead-letters/requeue", "POST", { filter });
    message = `requeue all: done, ${result.requeued.length} of ${shown.length} shown are due now with a fresh attempt budget` +
      (result.more ? " (more matched: click again)" : "");
  } catch (error) {
    message = `requeue all failed: ${error.message}`;
    failed = true;
  }
  await refresh();
  status(message, failed);
}

// A dead letter requeued: due now, with a fresh attempt budget (POST api/dead-letters/requeue, as the bus's RequeueDeadLetters).
async function requeue(instanceId) {
  await operate("requeue", async () => (await api("dead-letters/requeue", "POST", { instanceIds: [instanceId] })).requeued.length
    ? `done, instance ${short(instanceId)} is due now with a fresh attempt budget`
    : `nothing to do, instance ${short(instanceId)} is no longer a dead letter`);
}

// A task deleted with all its instances (DELETE api/tasks/{id}, as the bus's DeleteTask); refused while one is Claimed or Dispatched.
async function deleteTask(taskId) {
  if (!confirm(`Delete task ${taskId} and all its instances? This cannot be undone.`)) return;
  await operate("delete", async () => {
    const result = await api(`tasks/${taskId}`, "DELETE");
    if (state.selectedTask === taskId) state.selectedTask = null;
    return `done, task ${short(taskId)} and its ${result.instancesDeleted} instances are gone`;
  });
}

// An instance waiting for its retry backoff made due now, attempts kept (POST api/instances/{id}/retry, as the bus's RetryTaskInstanceNow).
async function retryNow(instanceId) {
  await operate("retry now", async () =>
    `${(await api(`instances/${instanceId}/retry`, "POST")).changed ? "done" : "nothing to change"}, instance ${short(instanceId)} is due now`);
}

// One operator's write: `call` returns what came of it; then the page is refreshed and that (or why it failed) shown.
async function operate(name, call) {
  let message, failed = false;
  try {
    message = `${name}: ${await call()}`;
  } catch (error) {
    message = `${name} failed: ${error.message}`;
    failed = true;
  }
  await refresh();
  status(message, failed);
}

async function write(taskId, action) {
  if (action === "cancel" && !confirm(`Cancel task ${taskId}? It fires no more; this cannot be undone.`)) return;
  await operate(action, async () => {
    const result = await api(`tasks/${taskId}/${action}`, "POST");
    return `${result.changed ? "done" : "nothing to change"}, task ${short(taskId)} is ${result.task.state}`;
  });
}

// The filters of "Instances of every task" as query parameters (GET api/instances): task, destination, metadata key=value, fire and
// finish time ranges; an empty input does not filter.
function instanceFilters() {
  let query = "";
  for (const input of document.querySelectorAll("input[data-filter]")) {
    const value = input.value.trim();
    if (!value) continue;
    if (input.dataset.filter === "metadata") {
      const [key, ...rest] = value.split("=");
      query += `&metadataKey=${encodeURIComponent(key)}` + (rest.length ? `&metadataValue=${encodeURIComponent(rest.join("="))}` : "");
    } else {
      query += `&${input.dataset.filter}=${encodeURIComponent(value)}`;
    }
  }
  return query;
}

// "New task": the form as a ScheduleTask command (POST api/tasks), validated by the node as the bus command; its refusal names the field.
async function createTask(form) {
  const field = name => form.elements[name].value.trim();
  const command = { trigger: field("trigger") };
  for (const name of ["timeZone", "destinationQueue", "payload", "expireAfter", "idempotencyKey"]) if (field(name)) command[name] = field(name);
  if (field("maxAttempts")) command.retry = { maxAttempts: Number(field("maxAttempts")) };
  if (field("metadata")) {
    command.metadata = Object.fromEntries(field("metadata").split(",").map(entry => entry.trim()).filter(Boolean).map(entry => {
      const [key, ...rest] = entry.split("=");
      return [key.trim(), rest.join("=").trim()];
    }));
  }
  await operate("create", async () => {
    const result = await api("tasks", "POST", command);
    state.selectedTask = result.taskId;
    if (!result.alreadyScheduled) form.reset();
    return result.alreadyScheduled
      ? `nothing to create, task ${result.taskId} was scheduled already`
      : `done, task ${result.taskId}, next fire time ${result.nextFireTime ? time(result.nextFireTime) : "none"}`;
  });
}

// Find: a task id opens that task (its instances below the tasks); an instance id shows that instance and opens its task.
async function search(id) {
  if (!id) return;
  if (!/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(id)) {
    status(`find: '${id}' is not an id. Paste a task's or an instance's id, e.g. 0193a5c2-7d4e-7b1a-9f00-3c5d2e1f0a4b.`, true);
    return;
  }
  const found = $("found");
  let message, failed = false;
  try {
    const task = await api(`tasks/${encodeURIComponent(id)}`).catch(error => error.message.startsWith("404") ? null : Promise.reject(error));
    if (task) {
      state.selectedTask = task.taskId;
      $("found-section").hidden = true;
      message = `task ${task.taskId}: ${task.state}`;
    } else {
      const entry = await api(`instances/${encodeURIComponent(id)}`);
      const i = entry.instance;
      state.selectedTask = entry.taskId;
      found.replaceChildren(el("span", { "data-instance-id": i.instanceId },
        `Instance ${i.instanceId} of task ${entry.taskId}: `, el("span", { class: `state state-${i.state}` }, i.state),
        `, fire time ${time(i.fireTime)}, attempt ${i.attempt} / ${i.maxAttempts}`,
        i.completedAt ? `, completed ${time(i.completedAt)}` : "", i.failedAt ? `, failed ${time(i.failedAt)}` : "",
        i.lastError ? `, last error: ${i.lastError}` : ""));
      $("found-section").hidden = false;
      message = `instance ${i.instanceId}: ${i.state}`;
    }
  } catch (error) {
    message = `find ${id}: ${error.message.startsWith("404") || error.message.startsWith("400") ? "no task or instance has this id" : error.message}`;
    failed = true;
  }
  await refresh();
  status(message, failed);
}

// "Delete all shown" / "Retry all shown": the filter of the instances of every task, up to the latest fire time listed, acted on for as many
// as are listed (latest fire time first, as listed) by POST api/instances/delete or /retry; an instance the action does not apply to is left alone.
async function actOnShown(action) {
  const shown = state.instancesListed || 0;
  if (!shown) return;
  const what = action === "delete" ? "Delete the finished instances among" : "Make due now the instances waiting for a retry among";
  if (!confirm(`${what} the ${shown} shown (the current filter)?${action === "delete" ? " This cannot be undone." : ""}`)) return;
  const params = new URLSearchParams(instanceFilters());
  const filter = Object.fromEntries(params.entries());
  if (state.instanceState) filter.state = state.instanceState;
  // Anchored at the latest shown, so instances that fired since the listing do not take the place of those shown.
  if (!filter.firedUntil && state.instancesLatest) filter.firedUntil = new Date(Date.parse(state.instancesLatest) + 1).toISOString();
  await operate(`${action} all shown`, async () => {
    const result = await api(`instances/${action}`, "POST", { filter, limit: shown });
    return `done, ${result.affected.length} ${action === "delete" ? "deleted" : "due now"}, ${result.leftAlone} left alone`;
  });
}

// Every destination queue (GET api/destinations): its consumers as this node's watch last saw them ("not watched" on a bus that cannot
// tell), its backlog due now, instances in flight, dead letters of the last 24 h and last dispatch. One without a consumer for
// Scheduler:DestinationGrace is marked "bad": its tasks wait until a worker consumes it again.
async function loadDestinations() {
  const destinations = await api("destinations");
  const consumers = d => d.withoutConsumer ? `no consumer since ${time(d.noConsumerSince)}; its tasks wait`
    : d.consumers == null ? "not watched" : `${d.consumers} consumer${d.consumers === 1 ? "" : "s"}`;
  $("destinations").replaceChildren(...(destinations.length
    ? destinations.map(d => el("li", { "class": d.withoutConsumer ? "bad" : null, "data-queue": d.queue },
      el("strong", {}, d.queue), " ", el("span", { class: "consumers" }, consumers(d)),
      el("br"), el("span", { class: "load" },
        `backlog ${d.backlog} · in flight ${d.inFlight} · failed 24 h ${d.failuresLast24Hours} · last dispatch ${d.lastDispatchAt ? time(d.lastDispatchAt) : "none"}`)))
    : [el("li", {}, "none")]));
}

// The recurring tasks (cron, RRULE, phrase; GET api/tasks/recurring), oldest first: the trigger explained in English, the next fire time
// that will fire and the occurrence that finished last; "More" shows more of them.
async function loadRecurring() {
  const list = await api(`tasks/recurring?pageSize=${state.recurringShown}`);
  const rows = list.tasks.map(r => el("tr", { "data-recurring-task-id": r.task.taskId },
    el("td", { class: "id", title: r.task.taskId, onclick: () => { state.selectedTask = r.task.taskId; refresh(); } }, short(r.task.taskId)),
    el("td", { class: "trigger", title: r.task.trigger }, shownTrigger(r.task)),
    el("td", { class: "explanation" }, r.explanation),
    el("td", {}, r.task.timeZone),
    el("td", { class: `state state-${r.task.state}` }, r.task.state),
    el("td", { class: "next-fire" }, time(r.task.nextFireTime)),
    el("td", { class: "last-outcome", title: r.lastOutcome?.lastError || null },
      ...(r.lastOutcome ? [el("span", { class: `state state-${r.lastOutcome.state}` }, r.lastOutcome.state), " " + time(r.lastOutcome.finishedAt)] : ["none yet"]))));
  $("recurring").tBodies[0].replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 7 }, "No recurring tasks."))]));
  $("more-recurring").hidden = !list.nextPageToken;
}

async function refresh() {
  if (state.busy) return;
  state.busy = true;
  try {
    await Promise.all([loadCluster(), loadDestinations(), loadTasks(), loadRecurring(), loadInstances(), loadInstancesByState(), loadDeadLetters()]);
    status("Updated " + new Date().toLocaleTimeString());
    document.body.dataset.loaded = "true";
  } catch (error) {
    status(error.message, true);
  } finally {
    state.busy = false;
  }
}

$("key-form").addEventListener("submit", event => {
  event.preventDefault();
  const key = $("api-key").value.trim();
  if (key) sessionStorage.setItem(KEY, key); else sessionStorage.removeItem(KEY);
  $("api-key").value = "";
  $("api-key").placeholder = key ? "key set for this tab" : "not needed on loopback";
  refresh();
});
$("state-filter").addEventListener("change", event => { state.taskFilter = event.target.value; refresh(); });
$("requeue-all").addEventListener("click", requeueAll);
$("more-tasks").addEventListener("click", () => { state.tasksShown = Math.min(1000, state.tasksShown + 100); refresh(); });
$("more-recurring").addEventListener("click", () => { state.recurringShown = Math.min(1000, state.recurringShown + 50); refresh(); });
$("by-state-filter").addEventListener("change", event => { state.instanceState = event.target.value; state.instancesShown = 50; refresh(); });
$("more-by-state").addEventListener("click", () => { state.instancesShown = Math.min(1000, state.instancesShown + 50); refresh(); });
$("delete-all-shown").addEventListener("click", () => actOnShown("delete"));
$("retry-all-shown").addEventListener("click", () => actOnShown("retry"));
$("new-task-form").addEventListener("submit", event => { event.preventDefault(); createTask(event.target); });
$("search-form").addEventListener("submit", event => { event.preventDefault(); search($("search").value.trim()); });
for (const input of document.querySelectorAll("input[data-filter]")) {
  input.addEventListener("change", () => { state.instancesShown = 50; refresh(); });
}
if (sessionStorage.getItem(KEY)) $("api-key").placeholder = "key set for this tab";
refresh();
setInterval(refresh, 5000);
