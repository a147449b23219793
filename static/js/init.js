// Runs first in <body>: marks the page as JavaScript-enabled for GOV.UK Frontend.
document.body.className += " js-enabled" +
  ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
