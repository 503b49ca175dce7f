// Small behaviours without inline scripts (the pages' Content-Security-Policy forbids them).
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target && target.getAttribute && target.getAttribute("data-print") !== null) { window.print(); }
  if (target && target.getAttribute && target.getAttribute("data-confirm")) {
    if (!window.confirm(target.getAttribute("data-confirm"))) { event.preventDefault(); }
  }
});
// A refused htmx action (400 bad input, 403, 404, 409, 422) still shows the page's explanation in place.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if (status === 400 || status === 403 || status === 404 || status === 409 || status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
