import { initAll } from "../govuk/govuk-frontend.min.js";
import { initTimeoutWarning } from "./timeout.mjs";
import { initTableScroll } from "./tables.mjs";

initAll();
initTimeoutWarning();
initTableScroll();
