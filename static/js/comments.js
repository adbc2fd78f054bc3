// Comments in place: post, reply, edit, preview, delete/flag/hide and the 🔔 setting without a reload.
// The server renders every fragment (the same views answer X-Requested-With with partial HTML);
// without JavaScript each link and form works as a plain page.
import { toast, csrfToken } from "./ui.js";


async function send(url, body, method = "POST") {
  const response = await fetch(url, {
    method,
    body,
    credentials: "same-origin",
    headers: { "X-Requested-With": "fetch", "X-CSRFToken": csrfToken() },
  });
  return { ok: response.ok, status: response.status, html: await response.text() };
}

function parse(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  return template.content;
}

function announce(content) {
  for (const item of content.querySelectorAll("[data-announce]")) {
    toast(item.textContent);
    item.remove();
  }
}

function wire(section) {
  const failed = section.dataset.networkError || "Network error";
  const count = section.querySelector("[data-comment-count]");
  const list = section.querySelector("[data-comment-list]");
  const empty = section.querySelector("[data-comments-empty]");
  const replyTemplate = section.querySelector("template[data-reply-template]");
  let uid = 0;

  const addToCount = (delta) => {
    if (count) count.textContent = String(Math.max(0, Number(count.textContent) + delta));
  };

  function showError(form, html) {
    const box = form.querySelector("[data-form-errors]");
    box.replaceChildren(parse(html || `<p class="field-error">${failed}</p>`));
    form.querySelector("textarea")?.setAttribute("aria-invalid", "true");
    form.querySelector("textarea")?.focus();
  }

  function uniqueIds(form) {
    const area = form.querySelector("textarea");
    const help = form.querySelector(".help");
    const id = `${area.id}-${++uid}`;
    form.querySelector("label").htmlFor = id;
    area.id = id;
    help.id = `${id}-help`;
    area.setAttribute("aria-describedby", help.id);
  }

  function enhance(form) {
    const button = form.querySelector("[data-preview-button]");
    if (button) button.hidden = false;
  }

  function place(li, parentId) {
    const parent = parentId && document.getElementById(`comment-${parentId}`);
    if (!parent) {
      if (section.dataset.order === "newest") list.prepend(li);
      else list.append(li);
      return;
    }
    if (Number(parent.dataset.depth) >= Number(section.dataset.maxDepth)) {
      parent.parentElement.append(li); // deeper replies stay at the third level
      return;
    }
    let replies = parent.querySelector(":scope > ol.comment-replies");
    if (!replies) {
      replies = document.createElement("ol");
      replies.className = "comment-replies";
      parent.append(replies);
    }
    replies.append(li);
  }

  async function submitComment(form) {
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      const result = await send(form.action, new FormData(form));
      if (!result.ok) return showError(form, result.html);
      form.dispatchEvent(new CustomEvent("stream:posted", { bubbles: true }));
      const content = parse(result.html);
      announce(content);
      if (form.dataset.mode === "edit") {
        const article = form.previousElementSibling;
        form.remove();
        article.replaceWith(content);
        return;
      }
      const li = content.querySelector("li[data-comment]");
      const parentId = form.querySelector("[name=parent]")?.value;
      place(li, parentId);
      addToCount(1);
      if (empty) empty.hidden = true;
      if (form.closest("template, [data-comment]")) form.remove();
      else {
        form.reset();
        form.querySelector("[data-form-errors]").replaceChildren();
        form.querySelector("[data-preview]").hidden = true;
        form.querySelector("[data-preview-button]")?.setAttribute("aria-pressed", "false");
      }
      li.tabIndex = -1;
      li.focus();
    } catch {
      showError(form);
    } finally {
      submit.disabled = false;
    }
  }

  async function preview(form, button) {
    const box = form.querySelector("[data-preview]");
    if (!box.hidden) {
      box.hidden = true;
      button.setAttribute("aria-pressed", "false");
      return;
    }
    const body = new FormData();
    body.append("body", form.querySelector("textarea").value);
    try {
      const result = await send(section.dataset.previewUrl, body);
      box.replaceChildren(parse(result.html));
      box.hidden = false;
      button.setAttribute("aria-pressed", "true");
    } catch {
      showError(form);
    }
  }

  function openReply(link) {
    const li = link.closest("[data-comment]");
    const open = li.querySelector(":scope > form[data-comment-form]");
    if (open) return open.querySelector("textarea").focus();
    const form = replyTemplate.content.firstElementChild.cloneNode(true);
    form.querySelector("[data-parent-field]").value = link.dataset.reply;
    form.querySelector("textarea").dataset.draft = link.dataset.draft;
    uniqueIds(form);
    enhance(form);
    li.querySelector(":scope > article").after(form);
    form.querySelector("textarea").focus();
  }

  async function openEdit(link) {
    const article = link.closest("article");
    if (article.nextElementSibling?.dataset.mode === "edit") return;
    const result = await send(link.href, undefined, "GET");
    if (!result.ok) return toast(parse(result.html).textContent.trim() || failed);
    const form = parse(result.html).querySelector("form");
    form.dataset.mode = "edit";
    enhance(form);
    article.hidden = true;
    article.after(form);
    form.querySelector("textarea").focus();
  }

  async function act(link) {
    const body = new FormData();
    if (link.dataset.prompt !== undefined) {
      const reason = window.prompt(link.dataset.prompt, ""); // a flag's optional reason
      if (reason === null) return;
      body.append("reason", reason);
    } else if (link.dataset.confirm && !window.confirm(link.dataset.confirm)) return;
    const li = link.closest("[data-comment]");
    const article = link.closest("article");
    const result = await send(link.href, body);
    if (!result.ok) return toast(parse(result.html).textContent.trim() || failed);
    // The count is what the thread shows: a hidden comment stays for staff, a deleted one with
    // replies stays as "[deleted]"; only a comment removed from the page leaves it.
    if (result.status === 204) {
      addToCount(-1);
      li.remove();
      if (empty && !list.children.length) empty.hidden = false;
      return toast(link.dataset.done || link.textContent);
    }
    const content = parse(result.html);
    const notice = content.querySelector("[role=status]");
    if (notice) toast(notice.textContent);
    article.replaceWith(content);
    li.querySelector(":scope > article a, :scope > article")?.focus();
  }

  section.addEventListener("click", (event) => {
    const target = event.target.closest("a, button");
    if (!target || !section.contains(target)) return;
    const form = target.closest("form");
    let handler = null;
    if (target.matches("[data-reply]") && replyTemplate) handler = () => openReply(target);
    else if (target.matches("a[data-edit]")) handler = () => openEdit(target).catch(() => toast(failed));
    else if (target.matches("a[data-action]")) handler = () => act(target).catch(() => toast(failed));
    else if (target.matches("[data-preview-button]")) handler = () => preview(form, target);
    else if (target.matches("button[data-cancel]")) {
      handler = () => {
        if (form.dataset.mode === "edit") form.previousElementSibling.hidden = false;
        const back = form.closest("[data-comment]")?.querySelector("a[data-reply], a[data-edit]");
        form.remove();
        back?.focus();
      };
    }
    if (!handler) return;
    event.preventDefault();
    handler();
  });

  section.addEventListener("submit", async (event) => {
    const form = event.target;
    if (form.matches("[data-comment-form]")) {
      event.preventDefault();
      return submitComment(form);
    }
    if (form.matches("[data-subscription-form]")) {
      event.preventDefault();
      const data = new FormData(form);
      if (event.submitter?.name) data.set(event.submitter.name, event.submitter.value);
      try {
        const result = await send(form.action, data);
        if (!result.ok) return toast(parse(result.html).textContent.trim() || failed);
        const fresh = parse(result.html).querySelector("form");
        form.replaceWith(fresh);
        fresh.querySelector(`button[value="${data.get("mode")}"]`)?.focus();
      } catch {
        toast(failed);
      }
    }
  });

  section.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.matches("textarea")) {
      event.preventDefault();
      event.target.form.requestSubmit();
    }
  });

  for (const form of section.querySelectorAll("form[data-comment-form]")) enhance(form);
}

const section = document.querySelector("[data-comments]");
if (section) wire(section);
