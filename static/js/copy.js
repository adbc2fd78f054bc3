// A copy button on every rendered code block, in the words the page gives (<body data-copy-label>).
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
