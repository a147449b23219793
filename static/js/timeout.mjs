// The GOV.UK timeout warning pattern: before an idle session expires, a modal dialog
// offers to stay signed in. If nobody answers, the session is ended (a real sign-out,
// not only a page that says so) and nothing typed is lost, but nothing is carried out
// by a timer either:
// - a form with a "Save and come back later" button saves a draft with it (that changes
//   nothing else), and the page it leads to signs out at once;
// - any other form with unsaved typing (which could close, delete or send something) is
//   posted only after signing out: the server then keeps what was typed, for the form to
//   show once the person signs in again (safeguarding/drafts.py), and does nothing else.
// Without JavaScript the session simply expires and the next post is kept the same way.
const SIGN_OUT_NEXT = "app-timeout-sign-out";

export function initTimeoutWarning() {
  const dialog = document.getElementById("timeout-dialog");
  if (!dialog || typeof dialog.showModal !== "function") return;
  const idle = Number(dialog.dataset.idleSeconds) * 1000;
  const warn = Number(dialog.dataset.warningSeconds) * 1000;
  const keepAliveUrl = dialog.dataset.keepAliveUrl;
  const signOutUrl = dialog.dataset.signOutUrl;
  const signedOutUrl = dialog.dataset.signedOutUrl;
  const countdown = dialog.querySelector("[data-countdown]");
  let warnTimer, expireTimer, tick;
  let dirtyForm = null;
  const forms = document.querySelectorAll("main form[method=post]");

  forms.forEach((form) => {
    form.addEventListener("input", () => { dirtyForm = form; });
    form.addEventListener("submit", () => { dirtyForm = null; });
  });

  function csrfToken() {
    return document.querySelector("input[name=csrfmiddlewaretoken]")?.value
      || dialog.dataset.csrfToken;
  }

  async function signOut() {
    try {
      await fetch(signOutUrl, {
        method: "POST", credentials: "same-origin", redirect: "manual",
        headers: { "X-CSRFToken": csrfToken() },
      });
    } catch (error) {
      // The server's own idle expiry still ends the session.
    }
  }

  async function expire() {
    clearInterval(tick);
    if (dialog.open) dialog.close();
    const form = dirtyForm;
    if (form) {
      const later = form.querySelector("[name=later]");
      if (later) {
        sessionStorage.setItem(SIGN_OUT_NEXT, "1");
        form.requestSubmit(later);
        return;
      }
      await signOut();
      form.requestSubmit();
      return;
    }
    await signOut();
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
    const response = await fetch(keepAliveUrl, {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() },
    });
    if (!response.ok) { window.location.href = signedOutUrl; return; }
    dialog.close();
    schedule();
  }

  if (sessionStorage.getItem(SIGN_OUT_NEXT)) {
    // The page a timed-out draft save led to. If the save was refused (the page shows
    // the form again with its errors), what was typed is posted once more after signing
    // out, to be kept; otherwise the draft is saved and this is the signed-out page.
    sessionStorage.removeItem(SIGN_OUT_NEXT);
    const refused = document.querySelector(".govuk-error-summary")
      ? document.querySelector("main form[method=post] [name=later]")?.form : null;
    signOut().then(() => {
      if (refused) refused.requestSubmit();
      else window.location.href = signedOutUrl;
    });
    return;
  }

  dialog.querySelector("[data-stay]").addEventListener("click", stay);
  dialog.addEventListener("cancel", (event) => { event.preventDefault(); stay(); });
  schedule();
}
