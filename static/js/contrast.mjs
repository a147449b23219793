// The contrast toggle on the public Learning from reviews pages. Without JavaScript the
// link goes to a small view that flips a cookie and comes back; with it, the page
// switches at once and keeps the same cookie.
const COOKIE = "lfr_contrast";
const LABELS = { high: "Use standard contrast", standard: "Use high contrast" };

export function initContrastToggle() {
  const link = document.querySelector("[data-contrast-toggle]");
  if (!link) return;
  link.setAttribute("role", "button");
  // A link acting as a button also answers the space bar, as a button does.
  link.addEventListener("keydown", (event) => {
    if (event.key === " ") {
      event.preventDefault();
      link.click();
    }
  });
  link.addEventListener("click", (event) => {
    event.preventDefault();
    const high = document.body.classList.toggle("app-high-contrast");
    const value = high ? "high" : "standard";
    const secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie = `${COOKIE}=${value}; path=/; max-age=31536000; SameSite=Lax${secure}`;
    link.textContent = LABELS[value];
    link.setAttribute("aria-pressed", high ? "true" : "false");
  });
  link.setAttribute(
    "aria-pressed",
    document.body.classList.contains("app-high-contrast") ? "true" : "false",
  );
}
