// "Report a problem": without JavaScript, /report/ is a form page. With it, the form opens, is sent and
// answered in place, and its hidden "completed" field is filled from what the page knows of progress.
import { toast } from "./ui.js";

const FRAGMENT = { "X-Requested-With": "fetch" };

/** Completion as the page shows it: the [data-lesson-done] line of the lesson's progress box. */
function pageCompleted(key) {
  for (const box of document.querySelectorAll("[data-lesson-key]")) {
    if (box.dataset.lessonKey !== key) continue;
    const done = box.querySelector("[data-lesson-done]");
    if (done) return !done.hidden;
  }
  return null;
}

/** Completion in this browser's local progress (anonymous learners, SPEC section 4). */
function localCompleted(key) {
  try {
    const stored = JSON.parse(localStorage.getItem("stream.progress") || "null");
    const completed = stored && typeof stored === "object" ? stored.completed : null;
    return Boolean(completed && typeof completed === "object" && Object.hasOwn(completed, key));
  } catch {
    return null; // storage blocked or unreadable: unknown
  }
}

function fillCompleted(form) {
  const input = form.querySelector("input[name=completed]");
  const key = form.dataset.lessonKey;
  if (!input || !key) return;
  let state = pageCompleted(key);
  if (state === null && form.dataset.signedIn !== "true") state = localCompleted(key);
  if (state === null) return;
  input.value = state ? "true" : "false";
  const label = form.querySelector("[data-report-completed-label]");
  if (label) label.textContent = state ? form.dataset.labelYes : form.dataset.labelNo;
}

/** Thanks, else the errors, else the form's heading: what a screen reader should read next. */
function focusFirst(panel) {
  const target = ["[data-report-thanks]", "[data-report-errors]", ".report-heading"]
    .map((selector) => panel.querySelector(selector))
    .find(Boolean);
  if (target) target.focus();
}

function show(panel, html) {
  panel.innerHTML = html;
  const form = panel.querySelector("[data-report-form]");
  if (form) fillCompleted(form);
  focusFirst(panel);
}

function setup(area) {
  const link = area.querySelector("[data-report-open]");
  const panel = area.querySelector("[data-report-panel]");
  if (!link || !panel) return;
  link.setAttribute("role", "button");
  link.setAttribute("aria-expanded", "false");
  link.setAttribute("aria-controls", panel.id);

  function close() {
    panel.hidden = true;
    link.setAttribute("aria-expanded", "false");
    if (!panel.querySelector("[data-report-form]")) panel.replaceChildren(); // sent: a fresh form next time
    link.focus();
  }

  async function open() {
    if (!panel.querySelector("[data-report-form]")) {
      link.setAttribute("aria-busy", "true");
      try {
        const response = await fetch(link.href, { headers: FRAGMENT, credentials: "same-origin" });
        if (!response.ok) throw new Error(String(response.status));
        panel.innerHTML = await response.text();
      } catch {
        window.location.assign(link.href); // the page version works without any of this
        return;
      } finally {
        link.removeAttribute("aria-busy");
      }
      fillCompleted(panel.querySelector("[data-report-form]"));
    }
    panel.hidden = false;
    link.setAttribute("aria-expanded", "true");
    panel.scrollIntoView({ block: "nearest" });
    focusFirst(panel);
  }

  function toggle(event) {
    event.preventDefault();
    if (panel.hidden) open();
    else close();
  }

  link.addEventListener("click", toggle);
  link.addEventListener("keydown", (event) => {
    if (event.key === " ") toggle(event); // it acts as a button, so Space works too
  });
  // The footer's "Report a problem" link opens the same form in place on a lesson page.
  const path = new URL(link.href).pathname;
  for (const other of document.querySelectorAll(".site-footer a[href]")) {
    if (new URL(other.href).pathname === path) {
      other.addEventListener("click", (event) => {
        event.preventDefault();
        if (panel.hidden) open();
        else focusFirst(panel);
      });
    }
  }

  panel.addEventListener("click", (event) => {
    if (event.target.closest("[data-report-close]")) close();
  });
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  panel.addEventListener("submit", async (event) => {
    const form = event.target.closest("[data-report-form]");
    if (!form) return;
    event.preventDefault();
    const button = form.querySelector("[type=submit]");
    button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: FRAGMENT,
        credentials: "same-origin",
      });
      // 201 sent, 400 form errors, 429 too many: each answer is the fragment to show.
      if (![201, 400, 429].includes(response.status)) throw new Error(String(response.status));
      if (response.status === 201) form.dispatchEvent(new CustomEvent("stream:posted", { bubbles: true }));
      show(panel, await response.text());
    } catch {
      button.disabled = false; // keep everything typed
      toast(form.dataset.labelFailed);
    }
  });
}

document.querySelectorAll("[data-report-area]").forEach(setup);
// The report page itself: the same hidden field, from local progress.
document.querySelectorAll("main [data-report-form]").forEach((form) => {
  if (!form.closest("[data-report-panel]")) fillCompleted(form);
});
