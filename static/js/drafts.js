// Fields marked data-draft="<name>" (named by the server) are kept until posted ("stream:posted"
// from their form, or a data-draft-posted marker on the next page) or signed out.
const KEY = "stream.drafts";
const FIELDS = "[name][data-draft]";
const pending = new Set();
let timer;

const read = () => { try { return JSON.parse(localStorage.getItem(KEY)) || {}; } catch { return {}; } };

function write(all, drop = []) { // keeps the 30 newest of the last 30 days
  for (const name of drop) delete all[name];
  const kept = Object.entries(all).filter(([, d]) => d && Date.now() - d.saved_at < 2592e6)
    .sort(([, a], [, b]) => b.saved_at - a.saved_at).slice(0, 30);
  try { localStorage.setItem(KEY, JSON.stringify(Object.fromEntries(kept))); } catch { /* full */ }
}

function flush() {
  clearTimeout(timer);
  if (!pending.size) return;
  const all = read();
  for (const f of pending) all[f.dataset.draft] = f.value.trim() ? { text: f.value.slice(0, 1e4), saved_at: Date.now() } : 0;
  pending.clear();
  write(all);
}

function restore(root) { // into fields as the server sent them
  flush();
  const all = read();
  for (const f of root.querySelectorAll(FIELDS)) {
    if (all[f.dataset.draft] && f.value === f.defaultValue) f.value = all[f.dataset.draft].text;
  }
}

document.addEventListener("input", (event) => {
  if (!event.target.matches(FIELDS)) return;
  pending.add(event.target);
  clearTimeout(timer);
  timer = setTimeout(flush, 300);
});
document.addEventListener("submit", flush, true);
addEventListener("pagehide", flush);
// Reply, edit and report forms that come later are filled as the focus enters them.
document.addEventListener("focusin", (event) => {
  const form = event.target.closest("form");
  if (form) restore(form);
});
document.addEventListener("stream:posted", (event) => {
  flush();
  write(read(), [...event.target.querySelectorAll(FIELDS)].map((f) => f.dataset.draft));
});
document.addEventListener("stream:signed-out", () => {
  pending.clear();
  write({});
});

for (const el of document.querySelectorAll("[data-draft-posted]")) write(read(), el.dataset.draftPosted.split(" "));
restore(document);
