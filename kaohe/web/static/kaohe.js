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
// A confirmation that names what was typed: hx-confirm="… {to} … {units|全部单位} …" is filled from the form's fields
// ("|" gives the words for an empty field) before the browser asks.
document.addEventListener("htmx:confirm", function (event) {
  var question = event.detail.question, form = event.detail.elt;
  if (!question || question.indexOf("{") < 0 || !form || !form.elements) { return; }
  event.preventDefault();
  var text = question.replace(/\{([a-z_]+)(?:\|([^}]*))?\}/g, function (whole, name, empty) {
    var field = form.elements[name];
    var value = field && field.value ? field.value.trim() : "";
    if (value && field.tagName === "SELECT") { value = field.options[field.selectedIndex].text; }
    return value || empty || "（未填写）";
  });
  if (window.confirm(text)) { event.detail.issueRequest(true); }
});
