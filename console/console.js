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
    const course = await api("GET", `/courses/${roomnum}?appid=${state.app}`);
    const living = course.state === 1;
    const end = el("button", { class: "danger", type: "button", onclick: () => endClass(course) }, "End class");
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
      living ? el("section", {}, end) : undefined,
      el("section", {}, el("h2", {}, `Present now (${course.present.length})`), el("p", { id: "present" }, course.present.join(", ") || "nobody")),
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

async function endClass(course) {
  if (!confirm(`End “${course.title}” for everyone in it?`)) return;
  try {
    await api("POST", `/courses/${course.roomnum}/end`, { appid: state.app });
    coursePage(course.roomnum);
  } catch (error) {
    alert(error.message);
  }
}

function route() {
  if (!state.operator) return;
  const course = /^#\/course\/(\d+)$/.exec(location.hash);
  if (course) return coursePage(Number(course[1]));
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
