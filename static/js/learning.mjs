// The public Learning from reviews pages: GOV.UK Frontend (including Exit this page),
// the contrast toggle, and the staff pages' own script for wide tables (tables.mjs: a
// box that scrolls is named, takes focus and says it scrolls). No session timeout here:
// nobody signs in.
import { initAll } from "../govuk/govuk-frontend.min.js";
import { initContrastToggle } from "./contrast.mjs";
import { initTableScroll } from "./tables.mjs";

initAll();
initContrastToggle();
initTableScroll();
