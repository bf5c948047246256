// Runs before the page paints: mark that JavaScript is on, as govuk-frontend's CSS expects.
// An external file because the Content-Security-Policy forbids inline script.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
