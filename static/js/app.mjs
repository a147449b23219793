import { initAll } from "../govuk/govuk-frontend.min.js";
import { initTimeoutWarning } from "./timeout.mjs";

initAll();
initTimeoutWarning();
