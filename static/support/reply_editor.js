// Reply editor: live lint and grounding marks from the server (support:lint), macros with variables.
(function () {
  const box = document.querySelector("textarea[data-lint-url]");
  if (!box) return;
  const results = document.querySelector("[data-testid=lint-results]");
  const marks = document.querySelector("[data-testid=grounding-marks]");
  const i18n = window.SUPPORT_I18N || {};
  const token = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value;
  let timer = null;
  function esc(s) { return s.replace(/[&<>"]/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c])); }
  function render(data, text) {
    results.innerHTML = "";
    (data.checks || []).forEach(c => {
      const li = document.createElement("li");
      li.className = c.severity === "error" ? "error" : "muted";
      li.dataset.rule = c.rule;
      li.textContent = (c.severity === "error" ? "⛔ " : "⚠ ") + c.message;
      results.appendChild(li);
    });
    if (!(data.checks || []).length) {
      const li = document.createElement("li"); li.className = "ok"; li.textContent = "✓ " + (i18n.ok || ""); results.appendChild(li);
    }
    let html = "", last = 0;
    (data.ungrounded || []).forEach(u => {
      html += esc(text.slice(last, u.start)) + '<mark class="ungrounded" title="' + esc(i18n.ungrounded || "") + '">' + esc(text.slice(u.start, u.end)) + "</mark>";
      last = u.end;
    });
    marks.innerHTML = (data.ungrounded || []).length ? html + esc(text.slice(last)) : "";
  }
  function lint() {
    const text = box.value;
    const body = new URLSearchParams({reply: text});
    fetch(box.dataset.lintUrl, {method: "POST", body, headers: {"X-CSRFToken": token}})
      .then(r => r.json()).then(d => render(d, text)).catch(() => {});
  }
  box.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(lint, 300); });
  // A macro arrives with its variables already filled from the conversation (server-side).
  const macro = document.querySelector("select[data-macro]");
  if (macro) macro.addEventListener("change", () => {
    const option = macro.options[macro.selectedIndex];
    if (!option || !option.dataset.text) return;
    box.value = option.dataset.text;
    lint();
  });
  document.querySelectorAll("[data-load-reply]").forEach(button => button.addEventListener("click", () => {
    box.value = button.dataset.loadReply;
    box.focus();
    lint();
  }));
})();
