// Small behaviours without inline scripts (the pages' Content-Security-Policy forbids them).
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target && target.getAttribute && target.getAttribute("data-print") !== null) { window.print(); }
  if (target && target.getAttribute && target.getAttribute("data-confirm")) {
    if (!window.confirm(target.getAttribute("data-confirm"))) { event.preventDefault(); }
  }
});
