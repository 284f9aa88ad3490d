// sockspec docs: progressive enhancement only. The page is complete without
// this script: it adds the event filter and the optional AsyncAPI React view.
(function () {
  "use strict";

  var filter = document.getElementById("filter");
  if (filter) {
    filter.hidden = false;
    filter.addEventListener("input", function () {
      var q = filter.value.trim().toLowerCase();
      document.querySelectorAll("[data-event]").forEach(function (el) {
        var hit = !q || el.getAttribute("data-event").toLowerCase().indexOf(q) >= 0;
        el.classList.toggle("hidden-by-filter", !hit);
      });
      document.querySelectorAll("[data-nav-event]").forEach(function (el) {
        var hit = !q || el.getAttribute("data-nav-event").toLowerCase().indexOf(q) >= 0;
        el.classList.toggle("hidden-by-filter", !hit);
      });
    });
  }

  // Optional: the official AsyncAPI React component (Config.ReactComponent).
  var mount = document.getElementById("asyncapi-react");
  if (!mount) return;
  var own = document.getElementById("own-view");
  var toggle = document.getElementById("view-toggle");
  function show(react) {
    mount.hidden = !react;
    own.hidden = react;
    if (toggle) toggle.textContent = react ? "sockspec view" : "AsyncAPI view";
  }
  window.addEventListener("load", function () {
    var lib = window.AsyncApiStandalone;
    if (!lib || typeof lib.render !== "function") {
      document.documentElement.setAttribute("data-react", "unavailable");
      return; // script blocked or offline: our page stays
    }
    fetch(mount.getAttribute("data-src"))
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.text();
      })
      .then(function (doc) {
        lib.render({ schema: doc, config: { show: { sidebar: true } } }, mount);
        document.documentElement.setAttribute("data-react", "rendered");
        if (toggle) {
          toggle.hidden = false;
          toggle.addEventListener("click", function () { show(mount.hidden); });
        }
        show(true);
      })
      .catch(function (err) {
        document.documentElement.setAttribute("data-react", "error");
        if (window.console) console.warn("AsyncAPI React component:", err);
      });
  });
})();
