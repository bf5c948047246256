// Start GOV.UK Frontend's components (service navigation menu, error summary focus, ...).
import { initAll } from "/assets/build/govuk-frontend.min.js";

initAll();
