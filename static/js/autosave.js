/*
 * Autosave for application sections. The form works without this script (Save
 * buttons); with it, answers are saved in the background a few seconds after the last
 * change. File inputs are left for the Save buttons.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var status = form.querySelector(".autosave-status");
  var timer = null;
  var DELAY_MS = 4000;

  function say(attribute) {
    if (status) {
      status.textContent = status.getAttribute(attribute) || "";
    }
  }

  function save() {
    var data = new FormData(form);
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      data.delete(input.name);
    });
    fetch(form.action || window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Autosave": "1" }
    }).then(function (response) {
      return response.json().then(function (body) {
        if (body.saved) {
          var version = form.querySelector("input[name=version]");
          if (version) {
            version.value = body.version;
          }
          say("data-saved-text");
        } else if (body.conflict) {
          say("data-conflict-text");
        }
      });
    }).catch(function () { /* The Save buttons still work. */ });
  }

  form.addEventListener("input", function (event) {
    if (event.target.type === "file") {
      return;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(save, DELAY_MS);
  });
})();
