/*
 * Quick exit, after the GOV.UK "Exit this page" pattern.
 * - Any element with data-quick-exit leaves at once (it is a plain link to /exit/,
 *   so it also works without this script).
 * - Pressing Shift three times, each press within 5 seconds of the last, leaves too;
 *   any other key starts the count again.
 * Leaving hides the page behind an overlay first, then replaces this page in the
 * history with /exit/, which ends our session and opens a neutral site.
 */
(function () {
  "use strict";

  var PRESSES_NEEDED = 3;
  var WINDOW_MS = 5000;
  var presses = 0;
  var timer = null;

  function exitUrl() {
    var link = document.querySelector("a[data-quick-exit]");
    return link ? link.getAttribute("href") : "/exit/";
  }

  function status(message) {
    var region = document.getElementById("quick-exit-status");
    if (region) {
      region.textContent = message || "";
    }
  }

  function leave() {
    document.documentElement.classList.add("quick-exit-active");
    var overlay = document.querySelector(".quick-exit-overlay");
    if (overlay) {
      overlay.hidden = false;
    }
    document.title = "";
    window.location.replace(exitUrl());
  }

  function reset() {
    presses = 0;
    if (timer) {
      window.clearTimeout(timer);
      timer = null;
    }
  }

  function messageFor(remaining) {
    var region = document.getElementById("quick-exit-status");
    if (!region) {
      return "";
    }
    if (remaining === 2) {
      return region.getAttribute("data-message-two");
    }
    if (remaining === 1) {
      return region.getAttribute("data-message-one");
    }
    return region.getAttribute("data-message-exit");
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-quick-exit]") : null;
    if (!target || event.defaultPrevented || event.button !== 0) {
      return;
    }
    event.preventDefault();
    leave();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift") {
      reset();
      return;
    }
    if (event.repeat) {
      return;
    }
    presses += 1;
    if (timer) {
      window.clearTimeout(timer);
    }
    timer = window.setTimeout(function () {
      reset();
      status("");
    }, WINDOW_MS);
    status(messageFor(PRESSES_NEEDED - presses));
    if (presses >= PRESSES_NEEDED) {
      reset();
      leave();
    }
  });
})();
