// Progress: standing, complete/undo, done marks, quest progress, "continue", sign-in sync.
// The server embeds what this needs in #progress-data (levels, totals, sentences, and the address
// of the published lessons' document, which the browser keeps: it changes only with the catalogue);
// the few rules the browser must apply for an anonymous learner live in standing.js.
import { continueAt, levelFor, levelProgress, localState, questCounts } from "./standing.js";
import { postJSON, toast } from "./ui.js";

const STORE = "stream.progress";
const node = document.getElementById("progress-data");
const data = node ? JSON.parse(node.textContent) : null;
const S = data ? data.strings : {};
const $$ = (selector) => document.querySelectorAll(selector);

/** Fill Python-style "%(name)s" placeholders ("%%" is a percent sign). */
const fmt = (text, values) => text.replace(/%(?:\((\w+)\)s|%)/g, (_, name) => (name ? String(values[name]) : "%"));

function readLocal() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORE) || "null");
    const completed = saved && saved.version === 1 ? saved.completed : null;
    if (completed && typeof completed === "object" && !Array.isArray(completed)) {
      return Object.fromEntries(Object.entries(completed).filter(([, at]) => typeof at === "string"));
    }
  } catch { /* unreadable or blocked */ }
  return {};
}

function writeLocal(completed) {
  try {
    localStorage.setItem(STORE, JSON.stringify({ version: 1, completed }));
    return true;
  } catch {
    return false;
  }
}

function clearLocal() {
  try { localStorage.removeItem(STORE); } catch { /* blocked */ }
}

// Signing out clears the local copy (the next person never sees or merges it).
document.addEventListener("stream:signed-out", clearLocal);

const has = (object, key) => Object.hasOwn(object, key);

function render(state) {
  const { level, xp } = state;
  const { into, span, left, percent } = levelProgress(xp, level);
  const lines = {
    level: fmt(S.level, level),
    level_name: level.name,
    xp: fmt(S.xp, { xp }),
    lessons: fmt(S.lessons, { done: state.lessons_completed, total: state.lessons_total }),
    achievements: fmt(S.achievements, { earned: state.achievements.length, total: state.achievements_total }),
    to_next: span === null ? "" : fmt(S.to_next, { into, span }),
    to_go: span === null ? "" : fmt(S.to_go, { left }),
    top: span === null ? S.top : "",
    // The bar measures the way to the next level (the level the next threshold reaches).
    percent: span === null ? "" : fmt(S.percent, { percent, next: levelFor(level.next_at, data.levels).number }),
  };
  for (const el of $$("[data-standing-field]")) {
    el.textContent = lines[el.dataset.standingField] || "";
    el.hidden = !el.textContent;
  }
  for (const bar of $$("[data-standing-bar]")) { bar.value = percent; bar.textContent = lines.percent || lines.top; }

  const done = state.completed;
  for (const mark of $$("[data-done-mark]")) {
    const owner = mark.closest("[data-lesson-key]");
    if (owner) mark.hidden = !has(done, owner.dataset.lessonKey);
  }
  for (const box of $$("[data-lesson-progress]")) {
    const isDone = has(done, box.dataset.lessonKey);
    const status = box.querySelector("[data-lesson-done]");
    const button = box.querySelector("[data-progress-button]");
    if (status) status.hidden = !isDone;
    if (button) {
      button.value = isDone ? "0" : "1";
      button.textContent = isDone ? S.undo : S.mark;
      button.classList.toggle("button-secondary", isDone);
      button.disabled = false;
    }
  }
  const count = questCounts(data.lessons, done);
  for (const box of $$("[data-quest-progress]")) {
    const values = count[box.dataset.questProgress] || { done: 0, total: 0 };
    const bar = box.querySelector("progress");
    bar.max = values.total;
    bar.value = values.done;
    bar.textContent = box.querySelector("[data-quest-progress-text]").textContent = fmt(S.quest, values);
  }
  for (const box of $$("[data-quest-complete]")) {
    const values = count[box.dataset.questComplete];
    box.hidden = !(values && values.total && values.done >= values.total);
  }
  renderContinue(done);
}

function renderContinue(done) {
  const box = document.querySelector("[data-continue]");
  const order = document.getElementById("progress-order");
  if (!box || !order) return;
  const lessons = JSON.parse(order.textContent);
  const at = continueAt(lessons.map((lesson) => lesson.key), done);
  const target = lessons.find((lesson) => lesson.key === at.key);
  box.querySelector("[data-continue-label]").textContent = !at.started ? S.start : target ? S.continue : S.all_done;
  const link = box.querySelector("[data-continue-link]");
  link.hidden = !target;
  if (target) { link.textContent = target.title; link.href = target.url; }
}

function announce(text) {
  const region = document.querySelector("[data-progress-live]");
  if (!region) return;
  region.textContent = "";
  setTimeout(() => { region.textContent = text; }, 50);
}

function celebrate(before, after, earned) {
  for (const achievement of earned || []) toast(fmt(S.achievement, achievement));
  if (before && after.level.number > before.level.number) toast(fmt(S.level_up, after.level));
}

let current = null;

function update(state, earned) {
  const before = current;
  current = state;
  render(state);
  celebrate(before, state, earned);
}

async function onMark(event) {
  const form = event.target.closest("[data-progress-form]");
  if (!form) return;
  event.preventDefault();
  const button = form.querySelector("[data-progress-button]");
  const key = form.elements.lesson.value;
  const wantDone = button.value === "1";
  if (data.signed_in) {
    // Busy, not disabled: a disabled button drops the keyboard focus to the page's body.
    if (button.getAttribute("aria-busy") === "true") return;
    button.setAttribute("aria-busy", "true");
    let answer = { ok: false, data: {} };
    try {
      answer = await postJSON(wantDone ? data.api.complete : data.api.uncomplete, { lesson: key });
    } catch { /* offline */ }
    button.removeAttribute("aria-busy");
    if (!answer.ok && wantDone && !navigator.onLine && keepOffline(key)) return;
    if (!answer.ok) { toast(answer.data.error || S.failed); return; }
    update(answer.data, answer.data.new_achievements);
  } else {
    await lessonsLoaded;
    const local = readLocal();
    if (wantDone) local[key] = local[key] || new Date().toISOString();
    else delete local[key];
    if (!writeLocal(local)) { toast(S.storage); return; }
    update(localState(local, data), []);
  }
  announce(fmt(wantDone ? S.marked : S.unmarked, current));
}

/** Signed in, offline: kept locally, sent by syncLocal once back online. */
function keepOffline(key) {
  const local = readLocal();
  local[key] ||= new Date().toISOString();
  if (!writeLocal(local)) return false;
  render({ ...current, completed: { ...current.completed, ...local } });
  toast(S.offline);
  return true;
}

/** Signed in: send local progress the account lacks. */
async function syncLocal() {
  const local = Object.fromEntries(Object.entries(readLocal()).filter(([, at]) => !Number.isNaN(Date.parse(at))));
  const server = current.completed;
  const needed = Object.keys(local).some((key) => !has(server, key) || Date.parse(local[key]) < Date.parse(server[key]));
  if (!needed) { clearLocal(); return; }
  let answer;
  try {
    answer = await postJSON(data.api.sync, { completed: local });
  } catch {
    return; // offline: sent again from the next page
  }
  if (!answer.ok) return;
  clearLocal();
  update(answer.data, answer.data.new_achievements);
  const count = answer.data.added.length;
  if (count) {
    const text = fmt(count === 1 ? S.added_one : S.added_other, { count });
    toast(text);
    announce(text);
  }
}

function prefillTimeZone() {
  const select = document.querySelector("select[name=time_zone]");
  const saved = document.getElementById("saved-time-zone");
  if (!select || !saved || JSON.parse(saved.textContent) !== "UTC" || select.value !== "UTC") return;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone || zone === "UTC" || ![...select.options].some((option) => option.value === zone)) return;
  select.value = zone;
  const note = document.querySelector("[data-time-zone-note]");
  note.textContent = document.querySelector("template[data-time-zone-detected]").content.textContent;
  note.hidden = false;
}

/** The published lessons (key, xp, quest_id), from the document the page names (preloaded, then kept
 * by the browser and, for saved lessons, by the service worker); null when it cannot be had. */
async function loadLessons() {
  try {
    const response = await fetch(data.catalogue);
    if (response.ok) return (await response.json()).lessons;
  } catch { /* offline, and never kept */ }
  return null;
}
const lessonsLoaded = data && loadLessons().then((lessons) => { data.lessons = lessons || []; return Boolean(lessons); });

prefillTimeZone();
if (data) {
  document.addEventListener("submit", onMark);
  if (data.signed_in) {
    current = data.state;
    syncLocal();
    addEventListener("online", syncLocal);
  } else {
    // Until the lessons arrive the page shows what the server drew (nothing done yet).
    lessonsLoaded.then((loaded) => {
      if (!loaded) return;
      update(localState(readLocal(), data), []);
      addEventListener("storage", (event) => {
        if (event.key === STORE || event.key === null) update(localState(readLocal(), data), []);
      });
    });
  }
}
