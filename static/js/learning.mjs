// The public Learning from reviews pages: GOV.UK Frontend (including Exit this page)
// and the contrast toggle. No session timeout here: nobody signs in.
import { initAll } from "../govuk/govuk-frontend.min.js";
import { initContrastToggle } from "./contrast.mjs";

initAll();
initContrastToggle();
