// The lesson page: code copy buttons, comments in place, the offline note on its forms.
import "./copy.js";
import "./comments.js";
import "./offline-forms.js";

// "Report a problem" is opened rarely: its module loads on the first press, then answers every press.
const report = document.querySelector("[data-report-open]");
report?.addEventListener("click", async (event) => {
  event.preventDefault();
  await import("./reports.js");
  report.click();
}, { once: true });
