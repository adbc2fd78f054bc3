// A copy button on every code block rendered by the Markdown pipeline; its words come
// translated from the page (data-copy-label, data-copied-label on <body>).
const { copyLabel = "Copy", copiedLabel = "Copied" } = document.body.dataset;

for (const block of document.querySelectorAll(".code-block")) {
  const header = block.querySelector(".code-header");
  const code = block.querySelector("pre");
  if (!header || !code || !navigator.clipboard) continue;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button-small button-secondary copy-button";
  button.textContent = copyLabel;
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(code.innerText);
    button.textContent = copiedLabel;
    setTimeout(() => { button.textContent = copyLabel; }, 2000);
  });
  header.append(button);
}
