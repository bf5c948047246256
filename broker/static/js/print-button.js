// "Print" buttons on print-friendly pages (data-app-print): hidden until this script can make
// them work; without JavaScript the page asks readers to print from their browser instead.
// An external module because the Content-Security-Policy forbids inline script.
for (const button of document.querySelectorAll("[data-app-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
