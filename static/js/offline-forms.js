// Pages with comment or report forms (lesson pages, /report/): while there is no connection,
// the forms say so and are not sent, so what was typed stays in them (SPEC 12).
const NEEDS_SERVER = "[data-comment-form], [data-report-form]";
const NOTE = document.querySelector("script[data-offline-note]").dataset.offlineNote; // this module's own tag

function showNotes() {
  for (const form of document.querySelectorAll(NEEDS_SERVER)) {
    let note = form.querySelector("[data-offline-note]");
    if (!note && !navigator.onLine) {
      note = document.createElement("p");
      note.className = "notice offline-note";
      note.setAttribute("role", "status");
      note.dataset.offlineNote = "";
      note.textContent = NOTE;
      form.prepend(note);
    }
    if (note) note.hidden = navigator.onLine;
  }
}

addEventListener("online", showNotes);
addEventListener("offline", showNotes);
showNotes();
// Capturing, so that it runs before comments.js and reports.js send anything.
document.addEventListener("submit", (event) => {
  if (navigator.onLine || !event.target.matches(NEEDS_SERVER)) return;
  event.preventDefault();
  event.stopImmediatePropagation();
  showNotes();
}, true);
