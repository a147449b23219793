// The GOV.UK timeout warning pattern: before an idle session expires, a modal dialog
// offers to stay signed in. If nobody answers and the page holds a form with unsaved
// typing, the form is submitted (with its "Save and come back later" button when it has
// one) instead of being thrown away: the server saves it, or keeps it across the sign-in
// if the session has already ended. Without JavaScript the session simply expires and
// the next post is kept the same way.
export function initTimeoutWarning() {
  const dialog = document.getElementById("timeout-dialog");
  if (!dialog || typeof dialog.showModal !== "function") return;
  const idle = Number(dialog.dataset.idleSeconds) * 1000;
  const warn = Number(dialog.dataset.warningSeconds) * 1000;
  const keepAliveUrl = dialog.dataset.keepAliveUrl;
  const signedOutUrl = dialog.dataset.signedOutUrl;
  const countdown = dialog.querySelector("[data-countdown]");
  let warnTimer, expireTimer, tick;
  let dirtyForm = null;

  document.querySelectorAll("main form[method=post]").forEach((form) => {
    form.addEventListener("input", () => { dirtyForm = form; });
    form.addEventListener("submit", () => { dirtyForm = null; });
  });

  function expire() {
    if (dirtyForm) {
      const later = dirtyForm.querySelector("[name=later]");
      dialog.close();
      dirtyForm.requestSubmit(later || undefined);
      return;
    }
    window.location.href = signedOutUrl;
  }

  function minutesText(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s >= 60) { const m = Math.ceil(s / 60); return m + (m === 1 ? " minute" : " minutes"); }
    return s + (s === 1 ? " second" : " seconds");
  }

  function schedule() {
    clearTimeout(warnTimer); clearTimeout(expireTimer); clearInterval(tick);
    warnTimer = setTimeout(showWarning, Math.max(0, idle - warn));
    expireTimer = setTimeout(expire, idle - 5000);
  }

  function showWarning() {
    const ends = Date.now() + warn;
    countdown.textContent = minutesText(warn);
    tick = setInterval(() => { countdown.textContent = minutesText(ends - Date.now()); }, 15000);
    dialog.showModal();
  }

  async function stay() {
    const token = document.querySelector("input[name=csrfmiddlewaretoken]")?.value
      || dialog.dataset.csrfToken;
    const response = await fetch(keepAliveUrl, {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": token },
    });
    if (!response.ok) { window.location.href = signedOutUrl; return; }
    dialog.close();
    schedule();
  }

  dialog.querySelector("[data-stay]").addEventListener("click", stay);
  dialog.addEventListener("cancel", (event) => { event.preventDefault(); stay(); });
  schedule();
}
