// Shared interface helpers: toasts, the language switcher, CSRF for fetch, sign-out.

/** Show a short message in the toast region (also read by screen readers). */
export function toast(text) {
  const region = document.querySelector("[data-toasts]");
  if (!region) return;
  const item = document.createElement("div");
  item.className = "toast";
  item.textContent = text;
  region.append(item);
  setTimeout(() => item.remove(), 6000);
}

/** The CSRF token from the cookie or from a form on the page. */
export function csrfToken() {
  const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
  if (match) return decodeURIComponent(match[1]);
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

/** POST JSON with the CSRF token; resolves to {ok, status, data}. */
export async function postJSON(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(body),
  });
  let data = {};
  try { data = await response.json(); } catch { /* not JSON */ }
  return { ok: response.ok, status: response.status, data };
}

for (const select of document.querySelectorAll("select[data-autosubmit]")) {
  select.addEventListener("change", () => select.form.submit());
}

// "/" focuses the search box in the header, unless the learner is typing somewhere.
document.addEventListener("keydown", (event) => {
  const box = document.querySelector("[data-search-box]");
  const target = event.target;
  if (event.key !== "/" || !box || event.ctrlKey || event.metaKey || event.altKey) return;
  if (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
  event.preventDefault();
  box.focus();
  box.select();
});

// Signing out or deleting the account: modules drop what they keep here (progress, drafts).
document.addEventListener("submit", ({ target: form }) => {
  let path = "";
  try { path = new URL(form.action, location.href).pathname; } catch { /* no action */ }
  if (form.matches("[data-logout-form], [data-clears-progress]") || path.endsWith("/accounts/logout/")) {
    document.dispatchEvent(new Event("stream:signed-out"));
  }
}, true);

// Offline copies of lessons (SPEC 12).
navigator.serviceWorker?.register("/sw.js");
