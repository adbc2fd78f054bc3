// A copy button on every code block rendered by the Markdown pipeline.
const lang = document.documentElement.lang;
const labels = lang === "ko" ? { copy: "복사", copied: "복사됨" } : { copy: "Copy", copied: "Copied" };

for (const block of document.querySelectorAll(".code-block")) {
  const header = block.querySelector(".code-header");
  const code = block.querySelector("pre");
  if (!header || !code || !navigator.clipboard) continue;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button-small button-secondary copy-button";
  button.textContent = labels.copy;
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(code.innerText);
    button.textContent = labels.copied;
    setTimeout(() => { button.textContent = labels.copy; }, 2000);
  });
  header.append(button);
}
