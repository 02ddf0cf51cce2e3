// The operator console: a small page over the REST API's console routes (/api/v1/console/…).
// No framework and no build step: what the browser runs is this file. Every change carries
// the session's CSRF token; the session itself is an HttpOnly cookie this script never sees.

const API = "/api/v1/console";
const REFRESH_MS = 3000;
const state = { operator: undefined, app: undefined, timer: undefined };

const main = document.getElementById("main");

async function api(method, path, body) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && state.operator) headers["x-csrf-token"] = state.operator.csrf;
  const response = await fetch(`${API}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
  const text = await response.text();
  const data = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw Object.assign(new Error(data?.errorInfo ?? `HTTP ${response.status}`), { status: response.status, data });
  return data;
}

/** Text into an element, never HTML: names and titles come from users. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value !== undefined && value !== false) node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
  return node;
}

const timeOf = (unixSeconds) => (unixSeconds ? new Date(unixSeconds * 1000).toLocaleString() : "—");
const ago = (ms) => (ms ? `${Math.max(0, Math.round((Date.now() - ms) / 1000))} s ago` : "unknown");
const within = (ms) => (ms ? `${Math.max(0, Math.round((ms - Date.now()) / 1000))} s` : "—");
const STATES = ["created", "living", "ended", "replayable"];
const MARKERS = { 1001: "class started", 1002: "class ended", 1003: "entered", 1004: "recording finished" };

/** A chat line's text: a class marker (a custom element) said in words. */
function chatText(message) {
  if (message.kind !== "custom") return message.text;
  try {
    const marker = JSON.parse(message.text);
    return `${MARKERS[marker.type] ?? `marker ${marker.type}`}${marker.value?.uid ? `: ${marker.value.uid}` : ""}`;
  } catch {
    return message.text;
  }
}
const ROLES = { 0: "student", 1: "teacher" };

function show(...nodes) {
  main.replaceChildren(...nodes);
}

function stopRefresh() {
  clearTimeout(state.timer);
  state.timer = undefined;
}

/** Runs `render` now and every few seconds while its page is shown. */
function refreshing(render) {
  stopRefresh();
  const route = location.hash;
  const tick = async () => {
    try {
      await render();
    } catch (error) {
      if (error.status === 401) return showLogin();
      show(el("p", { class: "error", role: "alert" }, error.message));
    }
    if (location.hash === route) state.timer = setTimeout(tick, REFRESH_MS);
  };
  return tick();
}

function showLogin(message) {
  stopRefresh();
  state.operator = undefined;
  document.getElementById("nav").hidden = true;
  const form = el(
    "form",
    { class: "login", "aria-label": "Sign in" },
    el("h1", {}, "Sign in"),
    el("label", {}, "Operator id ", el("input", { name: "id", autocomplete: "username", required: true })),
    el("label", {}, "Password ", el("input", { name: "pwd", type: "password", autocomplete: "current-password", required: true })),
    el("button", { type: "submit" }, "Sign in"),
    message ? el("p", { class: "error", role: "alert" }, message) : undefined,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = new FormData(form);
    try {
      signedIn(await api("POST", "/sessions", { id: fields.get("id"), pwd: fields.get("pwd") }));
    } catch (error) {
      showLogin(error.message);
    }
  });
  show(form);
}

function signedIn(operator) {
  state.operator = operator;
  const select = document.getElementById("app");
  select.replaceChildren(...operator.apps.map((app) => el("option", { value: app }, app)));
  state.app = operator.apps.includes(Number(select.value)) ? Number(select.value) : operator.apps[0];
  document.getElementById("who").textContent = operator.id;
  document.getElementById("nav").hidden = false;
  if (!location.hash.startsWith("#/")) location.hash = "#/live";
  else route();
}

function liveNow() {
  return refreshing(async () => {
    const { at, rooms } = await api("GET", `/live?appid=${state.app}`);
    const rows = rooms.map((room) =>
      el(
        "tr",
        { "data-roomnum": room.roomnum },
        el("td", {}, el("a", { href: `#/course/${room.roomnum}` }, room.roomnum)),
        el("td", {}, room.mode),
        el("td", {}, room.title),
        el("td", {}, room.host_uid),
        el("td", {}, timeOf(room.begin_time)),
        el("td", { class: "present" }, room.present),
        el("td", {}, ago(room.host_last_beat)),
        el("td", { class: room.reaper_ends_at && room.reaper_ends_at - Date.now() < 60000 ? "warn" : "" }, within(room.reaper_ends_at)),
        el("td", {}, room.recording ? "recording" : "", room.live_urls.length ? " relayed" : ""),
      ),
    );
    show(
      el("h1", {}, "Live now ", el("span", { class: "muted" }, `(${rooms.length})`)),
      el("p", { class: "muted" }, `as of ${new Date(at).toLocaleTimeString()}, refreshed every ${REFRESH_MS / 1000} s`),
      el(
        "table",
        { "aria-label": "Live now" },
        el("thead", {}, el("tr", {}, ["Room", "Kind", "Title", "Teacher", "Started", "Present", "Teacher's last beat", "Reaper ends it in", "Recording / relay"].map((h) => el("th", {}, h)))),
        el("tbody", {}, rows.length ? rows : el("tr", {}, el("td", { colspan: 9, class: "muted" }, "No class is living."))),
      ),
    );
  });
}

function coursePage(roomnum) {
  return refreshing(async () => {
    const [course, attendance] = await Promise.all([api("GET", `/courses/${roomnum}?appid=${state.app}`), api("GET", `/courses/${roomnum}/attendance?appid=${state.app}`)]);
    course.attendance = attendance.members;
    const living = course.state === 1;
    show(
      el("p", {}, el("a", { href: "#/live" }, "← Live now")),
      el("h1", {}, `${course.title} `, el("span", { class: "muted" }, `#${course.roomnum}`)),
      el(
        "dl",
        { "aria-label": "Course" },
        el("dt", {}, "State"), el("dd", { id: "course-state" }, STATES[course.state] ?? course.state),
        el("dt", {}, "Teacher"), el("dd", {}, course.host_uid),
        el("dt", {}, "Created"), el("dd", {}, timeOf(course.created_time)),
        el("dt", {}, "Started"), el("dd", {}, timeOf(course.begin_time)),
        el("dt", {}, "Ended"), el("dd", {}, timeOf(course.end_time), course.end_reason ? ` (${course.end_reason})` : ""),
        el("dt", {}, "IM sequence"), el("dd", {}, `${course.begin_imseq} – ${course.end_imseq || "…"}`),
        el("dt", {}, "Replay index"), el("dd", { id: "replay-status" }, course.replay_idx_status || "—", course.replay_idx_attempts ? ` after ${course.replay_idx_attempts} attempt(s)` : "", course.replay_idx_error ? el("span", { class: "bad" }, ` ${course.replay_idx_error}`) : ""),
        el("dt", {}, "Recording / relay"), el("dd", {}, course.recording ? "recording" : "no recording", course.live_urls.length ? ", relayed" : ""),
        living ? [el("dt", {}, "Teacher's last beat"), el("dd", {}, ago(course.host_last_beat))] : [],
      ),
      actionsOf(course),
      el("section", {}, el("h2", {}, `Present now (${course.present.length})`), el("p", { id: "present" }, course.present.join(", ") || "nobody")),
      el(
        "section",
        {},
        el("h2", {}, "Timeline"),
        el("table", { "aria-label": "Timeline" }, el("tbody", {}, course.timeline.map((e) => el("tr", {}, el("td", {}, timeOf(e.time)), el("td", {}, e.event.replaceAll("_", " ")), el("td", {}, e.detail))))),
      ),
      el(
        "section",
        {},
        el("h2", {}, `Videos (${course.videos.length})`, course.state >= 2 ? [" ", el("a", { href: `#/replay/${course.roomnum}` }, "replay view")] : []),
        videoTable(course.videos),
      ),
      el(
        "section",
        {},
        el("h2", {}, `Courseware (${course.bindings.length})`),
        el("ul", {}, course.bindings.map((b) => el("li", {}, el("a", { href: b.url, rel: "noreferrer noopener", target: "_blank" }, b.file_name), ` (type ${b.type}, ${timeOf(b.bind_time)})`))),
      ),
      el(
        "section",
        {},
        el("h2", {}, "Attendance ", el("a", { href: `${API}/courses/${course.roomnum}/attendance.csv?appid=${state.app}`, download: "attendance.csv", id: "attendance-csv" }, "CSV")),
        attendanceTable(course.attendance),
      ),
      el(
        "section",
        {},
        el("h2", {}, `Stays (${course.stays.length})`),
        el(
          "table",
          { "aria-label": "Stays" },
          el("thead", {}, el("tr", {}, ["Member", "Role", "Joined", "Left", "Why"].map((h) => el("th", {}, h)))),
          el("tbody", {}, course.stays.map((s) => el("tr", {}, el("td", {}, s.uid), el("td", {}, ROLES[s.role] ?? s.role), el("td", {}, timeOf(s.join_time)), el("td", {}, timeOf(s.leave_time)), el("td", {}, s.leave_reason)))),
        ),
      ),
    );
  });
}

/** The actions a course's state allows: end a living class, stop its recording or relay, ask for the replay index again. */
function actionsOf(course) {
  const action = (label, question, path, danger) =>
    el("button", { type: "button", class: danger ? "danger" : "", onclick: () => act(course, question, path) }, label);
  const buttons = [];
  if (course.state === 1) buttons.push(action("End class", `End “${course.title}” for everyone in it?`, "end", true));
  if (course.recording) buttons.push(action("Stop recording", "Stop the server-side recording?", "recording/stop"));
  if (course.live_urls.length) buttons.push(action("Stop relay", "Stop the relay to CDN?", "push/stop"));
  if (course.state === 2) buttons.push(action("Ask for the replay index again", undefined, "replay-index"));
  return buttons.length ? el("section", { class: "actions" }, buttons) : undefined;
}

async function act(course, question, path) {
  if (question && !confirm(question)) return;
  try {
    await api("POST", `/courses/${course.roomnum}/${path}`, { appid: state.app });
  } catch (error) {
    alert(error.message);
  }
  coursePage(course.roomnum);
}

function videoTable(videos) {
  return el(
    "table",
    { "aria-label": "Videos" },
    el("thead", {}, el("tr", {}, ["File", "By", "From", "To", "Seconds", "IM seq"].map((h) => el("th", {}, h)))),
    el("tbody", {}, videos.map((v) => el("tr", {}, el("td", {}, el("a", { href: v.video_url, rel: "noreferrer noopener", target: "_blank" }, v.file_id)), el("td", {}, v.uid), el("td", {}, timeOf(v.start_time)), el("td", {}, timeOf(v.end_time)), el("td", {}, v.duration), el("td", {}, v.imseq)))),
  );
}

function attendanceTable(members) {
  return el(
    "table",
    { "aria-label": "Attendance" },
    el("thead", {}, el("tr", {}, ["Member", "Role", "Minutes", "First join", "Last leave", "Stays"].map((h) => el("th", {}, h)))),
    el("tbody", {}, members.map((m) => el("tr", { "data-uid": m.uid }, el("td", {}, el("a", { href: `#/member/${encodeURIComponent(m.uid)}` }, m.uid)), el("td", {}, ROLES[m.role] ?? m.role), el("td", { class: "minutes" }, m.minutes), el("td", {}, timeOf(m.first_join)), el("td", {}, m.last_leave ? timeOf(m.last_leave) : "present"), el("td", {}, m.stays)))),
  );
}

function replays() {
  const form = el(
    "form",
    { class: "filters", "aria-label": "Filters" },
    el("label", {}, "Teacher ", el("input", { name: "host_uid" })),
    el("label", {}, "From ", el("input", { name: "from", type: "date" })),
    el("label", {}, "To ", el("input", { name: "to", type: "date" })),
    el("label", {}, "State ", el("select", { name: "state" }, el("option", { value: "" }, "ended or replayable"), el("option", { value: "3" }, "replayable"), el("option", { value: "2" }, "ended"))),
    el("button", { type: "submit" }, "Filter"),
  );
  const results = el("div", {}, el("p", { class: "muted" }, "Loading…"));
  const load = async () => {
    const fields = new FormData(form);
    const query = new URLSearchParams({ appid: state.app, limit: "50" });
    if (fields.get("host_uid")) query.set("host_uid", fields.get("host_uid"));
    if (fields.get("from")) query.set("from_time", String(Date.parse(fields.get("from")) / 1000 - 1));
    if (fields.get("to")) query.set("to_time", String(Date.parse(fields.get("to")) / 1000 + 86399));
    if (fields.get("state")) query.set("state", fields.get("state"));
    try {
      const { total, rooms } = await api("GET", `/replays?${query}`);
      results.replaceChildren(
        el("p", { class: "muted" }, `${total} class(es)${total > rooms.length ? `, the newest ${rooms.length} shown` : ""}`),
        el(
          "table",
          { "aria-label": "Replays" },
          el("thead", {}, el("tr", {}, ["Room", "Title", "Teacher", "Started", "Ended", "State", "Replay index", "Videos"].map((h) => el("th", {}, h)))),
          el("tbody", {}, rooms.map((r) => el("tr", { "data-roomnum": r.roomnum }, el("td", {}, el("a", { href: `#/course/${r.roomnum}` }, r.roomnum)), el("td", {}, r.title), el("td", {}, r.host_uid), el("td", {}, timeOf(r.begin_time)), el("td", {}, timeOf(r.end_time)), el("td", { class: "state" }, STATES[r.state]), el("td", {}, r.replay_idx_status, r.replay_idx_error ? el("span", { class: "bad" }, ` ${r.replay_idx_error}`) : ""), el("td", {}, el("a", { href: `#/replay/${r.roomnum}` }, `${r.videos.length} ▶`))))),
        ),
      );
    } catch (error) {
      if (error.status === 401) return showLogin();
      results.replaceChildren(el("p", { class: "error", role: "alert" }, error.message));
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void load();
  });
  stopRefresh();
  show(el("h1", {}, "Replays"), form, results);
  return load();
}

function replayView(roomnum) {
  stopRefresh();
  return (async () => {
    try {
      const [course, chat] = await Promise.all([api("GET", `/courses/${roomnum}?appid=${state.app}`), api("GET", `/courses/${roomnum}/chat?appid=${state.app}`)]);
      const videos = [...course.videos].sort((a, b) => a.start_time - b.start_time);
      show(
        el("p", {}, el("a", { href: `#/course/${roomnum}` }, "← the course")),
        el("h1", {}, `Replay: ${course.title} `, el("span", { class: "muted" }, `#${roomnum}, IM ${course.begin_imseq} – ${course.end_imseq}`)),
        el(
          "div",
          { class: "replay" },
          el("section", { "aria-label": "Videos in order" }, videos.length ? videos.map((v) => el("figure", {}, el("video", { src: v.video_url, controls: true, preload: "none" }), el("figcaption", {}, `${timeOf(v.start_time)} – ${timeOf(v.end_time)}, ${v.uid}`))) : el("p", { class: "muted" }, "No video.")),
          el("section", { "aria-label": "Chat" }, el("h2", {}, `Chat (${chat.messages.length})`), el("ol", { class: "chat" }, chat.messages.map((m) => el("li", { class: m.kind }, el("span", { class: "muted" }, `${new Date(m.time * 1000).toLocaleTimeString()} ${m.from}: `), chatText(m))))),
        ),
      );
    } catch (error) {
      if (error.status === 401) return showLogin();
      show(el("p", { class: "error", role: "alert" }, error.message));
    }
  })();
}

function memberAttendance(uid) {
  stopRefresh();
  const form = el("form", { class: "filters", "aria-label": "Member" }, el("label", {}, "Member id ", el("input", { name: "uid", value: uid ?? "", required: true })), el("button", { type: "submit" }, "Show"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = `#/member/${encodeURIComponent(new FormData(form).get("uid"))}`;
  });
  const results = el("div", {});
  show(el("h1", {}, "Attendance of a member"), form, results);
  if (!uid) return;
  return (async () => {
    try {
      const { courses } = await api("GET", `/members/${encodeURIComponent(uid)}/attendance?appid=${state.app}`);
      results.replaceChildren(
        el("p", {}, el("a", { href: `${API}/members/${encodeURIComponent(uid)}/attendance.csv?appid=${state.app}`, download: "member-attendance.csv" }, "CSV")),
        el(
          "table",
          { "aria-label": "Courses attended" },
          el("thead", {}, el("tr", {}, ["Room", "Title", "Minutes", "First join", "Last leave"].map((h) => el("th", {}, h)))),
          el("tbody", {}, courses.map((c) => el("tr", {}, el("td", {}, el("a", { href: `#/course/${c.roomnum}` }, c.roomnum)), el("td", {}, c.title), el("td", {}, c.minutes), el("td", {}, timeOf(c.first_join)), el("td", {}, c.last_leave ? timeOf(c.last_leave) : "present")))),
        ),
      );
    } catch (error) {
      if (error.status === 401) return showLogin();
      results.replaceChildren(el("p", { class: "error", role: "alert" }, error.message));
    }
  })();
}

function webhooks() {
  return refreshing(async () => {
    const { deliveries } = await api("GET", `/webhooks?appid=${state.app}`);
    const statusClass = { delivered: "ok", failed: "bad", pending: "warn" };
    show(
      el("h1", {}, "Webhooks ", el("span", { class: "muted" }, `(the latest ${deliveries.length})`)),
      el("p", { class: "muted" }, "What the school's systems were sent (WEBHOOKS), newest first. npm run webhooks -- replay --since <time> sends again what a receiver missed."),
      el(
        "table",
        { "aria-label": "Deliveries" },
        el("thead", {}, el("tr", {}, ["Event", "Room", "Happened", "Endpoint", "Status", "Attempts", "Last answer"].map((h) => el("th", {}, h)))),
        el("tbody", {}, deliveries.map((d) => el("tr", {}, el("td", {}, d.type), el("td", {}, d.roomnum ? el("a", { href: `#/course/${d.roomnum}` }, d.roomnum) : "—"), el("td", {}, timeOf(d.occurred_at)), el("td", {}, d.endpoint), el("td", { class: statusClass[d.status] ?? "" }, d.status), el("td", {}, d.attempts), el("td", {}, d.last_status ? `HTTP ${d.last_status}` : "", d.last_error ? ` ${d.last_error}` : "")))),
      ),
    );
  });
}

function health() {
  return refreshing(async () => {
    const { postgres, redis, metrics } = await api("GET", "/health");
    const dependency = (name, d) => el("tr", {}, el("td", {}, name), el("td", { class: d.ok ? "ok" : "bad" }, d.ok ? "up" : "down"), el("td", {}, `${d.ms.toFixed(1)} ms`), el("td", {}, d.error));
    const errors = metrics.requests.filter((r) => r.code !== 0);
    const byCommand = new Map();
    for (const r of metrics.requests) {
      const row = byCommand.get(r.command) ?? { ok: 0, failed: 0 };
      if (r.code === 0) row.ok += r.count;
      else row.failed += r.count;
      byCommand.set(r.command, row);
    }
    show(
      el("h1", {}, "Health"),
      el("table", { "aria-label": "Dependencies" }, el("tbody", {}, dependency("PostgreSQL", postgres), dependency("Redis", redis))),
      el("p", { class: "muted" }, metrics.enabled ? "This instance's counts since it started (Prometheus has every instance's)." : "Metrics are off on this instance (METRICS_ENABLED=false)."),
      el("dl", {}, el("dt", {}, "Reaper sweeps"), el("dd", {}, metrics.reaper_sweeps), el("dt", {}, "Ended for silence"), el("dd", {}, `${metrics.reaper_ended.class ?? 0} classes, ${metrics.reaper_ended.member ?? 0} members`), el("dt", {}, "Refused callbacks"), el("dd", {}, metrics.callbacks.filter((c) => c.outcome !== "accepted").reduce((n, c) => n + c.count, 0)), el("dt", {}, "Failed Tencent calls"), el("dd", {}, metrics.tencent_calls.filter((c) => c.outcome !== "ok").reduce((n, c) => n + c.count, 0)), el("dt", {}, "Error answers"), el("dd", {}, errors.reduce((n, r) => n + r.count, 0))),
      el("table", { "aria-label": "Requests by command" }, el("thead", {}, el("tr", {}, ["Command", "Answered", "Refused or failed"].map((h) => el("th", {}, h)))), el("tbody", {}, [...byCommand].sort((a, b) => b[1].ok + b[1].failed - a[1].ok - a[1].failed).map(([command, r]) => el("tr", {}, el("td", {}, command), el("td", {}, r.ok), el("td", { class: r.failed ? "warn" : "" }, r.failed))))),
    );
  });
}

function route() {
  if (!state.operator) return;
  const [, page = "live", arg] = /^#\/([a-z]+)(?:\/(.+))?$/.exec(location.hash) ?? [];
  if (page === "course" && /^\d+$/.test(arg ?? "")) return coursePage(Number(arg));
  if (page === "replay" && /^\d+$/.test(arg ?? "")) return replayView(Number(arg));
  if (page === "replays") return replays();
  if (page === "member") return memberAttendance(arg === undefined ? undefined : decodeURIComponent(arg));
  if (page === "health") return health();
  if (page === "webhooks") return webhooks();
  return liveNow();
}

document.getElementById("app").addEventListener("change", (event) => {
  state.app = Number(event.target.value);
  route();
});
document.getElementById("logout").addEventListener("click", async () => {
  await api("DELETE", "/sessions/current").catch(() => undefined);
  showLogin();
});
window.addEventListener("hashchange", route);

api("GET", "/session").then(signedIn, () => showLogin());
