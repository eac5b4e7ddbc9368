// Says, while the clerk types, whether the SNILS is acceptable; the server's rule (POST /snils/check) decides,
// so the page and the save never disagree. The form is sent and checked again either way.
(function () {
  "use strict";
  var input = document.getElementById("snils-input");
  var verdict = document.getElementById("snils-verdict");
  if (!input || !verdict) return;
  var form = input.form;
  var token = form.querySelector("input[name=csrf_token]").value;
  var timer = null;
  var asked = 0;

  function show(valid, message) {
    verdict.textContent = message;
    verdict.className = "verdict " + (valid ? "ok" : "bad");
    input.setCustomValidity(valid ? "" : message);
  }

  function check() {
    var value = input.value;
    if (value.trim() === "") { verdict.textContent = ""; verdict.className = "verdict"; input.setCustomValidity(""); return; }
    var mine = ++asked;
    var body = new URLSearchParams();
    body.set("value", value);
    fetch(input.dataset.checkUrl, {
      method: "POST",
      headers: { "X-CSRF-Token": token, "Content-Type": "application/x-www-form-urlencoded" },
      body: body,
      credentials: "same-origin"
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (answer) {
      if (answer && mine === asked) show(answer.valid, answer.message);
    }).catch(function () { /* offline or signed out: the server checks again on save */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 250);
  });
  if (input.value) check();
})();
