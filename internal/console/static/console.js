// The one script of the console: a copy button for the secret shown once.
// Without it the secret is still shown, selected, for copying by hand.
"use strict";
// A page kept in the back/forward cache comes back without asking the
// server: the secret is wiped when the page is left, and a page restored
// from that cache is loaded afresh.
window.addEventListener("pagehide", function () {
  var secret = document.getElementById("secret-dialog");
  if (secret) {
    secret.remove();
  }
});
window.addEventListener("pageshow", function (event) {
  if (event.persisted) {
    window.location.reload();
  }
});
document.addEventListener("DOMContentLoaded", function () {
  var secret = document.getElementById("secret");
  if (secret) {
    secret.focus();
    secret.select();
  }
  var button = document.getElementById("copy");
  if (!button || !navigator.clipboard) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    var field = document.getElementById(button.dataset.copy);
    var status = document.getElementById("copy-status");
    navigator.clipboard.writeText(field.value).then(function () {
      status.textContent = "Copied.";
    }, function () {
      field.select();
      status.textContent = "Copying failed: select the secret and copy it by hand.";
    });
  });
});
