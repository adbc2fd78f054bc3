// A quest's "Save for offline": asks the worker (/sw.js) and shows its answers.
const box = document.querySelector("[data-offline-save]");
const worker = navigator.serviceWorker;

if (box && worker) {
  const text = box.dataset;
  const lang = document.documentElement.lang;
  const status = box.querySelector("[data-offline-status]");
  const bar = box.querySelector("[data-offline-bar]");
  const [save, remove] = box.querySelectorAll("[data-offline-action]");
  const fmt = (sentence, values) => sentence.replace(/%\((\w+)\)s/g, (_, name) => values[name]);
  const megabytes = new Intl.NumberFormat(lang, { style: "unit", unit: "megabyte", maximumSignificantDigits: 2 });
  let busy = false;

  const show = (answer) => {
    const saved = answer.state === "saved";
    const refocus = document.activeElement === (saved ? save : remove); // it is hidden next
    busy = answer.state === "saving";
    bar.hidden = !busy;
    bar.max = answer.total || 1;
    bar.value = answer.done || 0;
    save.hidden = saved;
    remove.hidden = !saved;
    if (refocus) (saved ? remove : save).focus();
    let line = busy ? text.saving : saved ? text.saved : text.none;
    if (answer.skipped) line += ` ${text.skipped}`;
    if (answer.failed) line = `${text.failed} ${line}`;
    status.textContent = fmt(line, { total: text.total, ...answer, size: megabytes.format(answer.bytes / 1e6) });
  };

  const ask = async (type) => {
    if (busy) return;
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => show(event.data);
    (await worker.ready).active.postMessage({ type, quest: text.quest, lang }, [channel.port2]);
  };

  save.addEventListener("click", () => ask("save"));
  remove.addEventListener("click", () => ask("remove"));
  box.hidden = false;
  ask("status");
}
