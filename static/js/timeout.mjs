// The GOV.UK timeout warning pattern: before an idle session expires, a modal dialog
// offers to stay signed in. If nobody answers, the session is ended (a real sign-out,
// not only a page that says so) and nothing typed is lost, but nothing is carried out
// by a timer either:
// - a form whose "later" button only saves a draft (marked data-draft: it changes
//   nothing else) saves one with it, and the page it leads to signs out at once;
// - any other form with unsaved typing (which could close, delete or send something) is
//   posted only once signing out has worked: the server then keeps what was typed, for
//   the form to show once the person signs in again (safeguarding/drafts.py), and does
//   nothing else. If signing out fails (the server is down), nothing is posted: the page
//   stays as it is and the server's own expiry ends the session.
// Without JavaScript the session simply expires and the next post is kept the same way.
const SIGN_OUT_NEXT = "app-timeout-sign-out";
// The page a timed-out draft save leads to loads within this; a flag older than this
// (the save was refused by an ended session, then the person signed in again) is stale.
const SIGN_OUT_NEXT_WITHIN_MS = 30000;
// The last activity in any tab of this browser (a page loaded, "Stay signed in"): the
// tabs share one session, so an idle tab must not sign out someone working in another.
const ACTIVITY = "app-activity";

function noteActivity() {
  try { localStorage.setItem(ACTIVITY, String(Date.now())); } catch (error) { /* private */ }
}

function lastActivity() {
  try { return Number(localStorage.getItem(ACTIVITY)) || 0; } catch (error) { return 0; }
}

function takeSignOutFlag() {
  const at = Number(sessionStorage.getItem(SIGN_OUT_NEXT));
  sessionStorage.removeItem(SIGN_OUT_NEXT);
  return at > 0 && Date.now() - at < SIGN_OUT_NEXT_WITHIN_MS;
}

export function initTimeoutWarning() {
  const pendingSignOut = takeSignOutFlag();
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

  document.querySelectorAll("main form[method=post]").forEach((form) => {
    form.addEventListener("input", () => { dirtyForm = form; });
    form.addEventListener("submit", () => { dirtyForm = null; });
  });

  function csrfToken() {
    return document.querySelector("input[name=csrfmiddlewaretoken]")?.value
      || dialog.dataset.csrfToken;
  }

  // True once the server has signed the session out (its answer is the redirect to the
  // signed-out page); false if it could not be reached or refused.
  async function signOut() {
    try {
      const response = await fetch(signOutUrl, {
        method: "POST", credentials: "same-origin", redirect: "manual",
        headers: { "X-CSRFToken": csrfToken() },
      });
      return response.type === "opaqueredirect" || response.ok;
    } catch (error) {
      return false;
    }
  }

  // Another tab was used since this one's timers were set: start them again from then.
  function activeElsewhere() {
    return Date.now() - lastActivity() < idle - 6000;
  }

  async function expire() {
    if (activeElsewhere()) { if (dialog.open) dialog.close(); schedule(); return; }
    clearInterval(tick);
    if (dialog.open) dialog.close();
    const form = dirtyForm;
    const draft = form?.querySelector("[name=later][data-draft]");
    if (draft) {
      sessionStorage.setItem(SIGN_OUT_NEXT, String(Date.now()));
      form.requestSubmit(draft);
      return;
    }
    if (!(await signOut())) return;
    if (form) form.requestSubmit();
    else window.location.href = signedOutUrl;
  }

  function minutesText(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s >= 60) { const m = Math.ceil(s / 60); return m + (m === 1 ? " minute" : " minutes"); }
    return s + (s === 1 ? " second" : " seconds");
  }

  function schedule() {
    clearTimeout(warnTimer); clearTimeout(expireTimer); clearInterval(tick);
    const since = Math.max(0, Date.now() - (lastActivity() || Date.now()));
    warnTimer = setTimeout(showWarning, Math.max(0, idle - warn - since));
    expireTimer = setTimeout(expire, Math.max(0, idle - 5000 - since));
  }

  function showWarning() {
    if (Date.now() - lastActivity() < idle - warn - 1000) { schedule(); return; }
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
    noteActivity();
    dialog.close();
    schedule();
  }

  // "Stay signed in" or a page loaded in another tab: this one's warning goes too.
  window.addEventListener("storage", (event) => {
    if (event.key !== ACTIVITY) return;
    if (dialog.open) dialog.close();
    schedule();
  });

  dialog.querySelector("[data-stay]").addEventListener("click", stay);
  dialog.addEventListener("cancel", (event) => { event.preventDefault(); stay(); });

  if (pendingSignOut) {
    // The page a timed-out draft save led to. If the save was refused (the page shows
    // the form again with its errors), what was typed is posted once more after signing
    // out, to be kept; otherwise the draft is saved and this is the signed-out page.
    const refused = document.querySelector(".govuk-error-summary")
      ? document.querySelector("main form[method=post] [name=later][data-draft]")?.form
      : null;
    signOut().then((done) => {
      if (!done) { schedule(); return; }
      if (refused) refused.requestSubmit();
      else window.location.href = signedOutUrl;
    });
    return;
  }

  noteActivity();  // this page's request was activity
  schedule();
}
