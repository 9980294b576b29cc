// Quick exit: leave for a neutral site and replace this page in the history, so "back" does not
// return here (searches replace their entry too, so none is left behind). The address drops any
// query at once, before the neutral site has loaded, and the tab's storage forgets the last search
// htmx noted there. Escape twice does the same from the keyboard.
(function () {
  function leave(event) {
    if (event) event.preventDefault();
    var link = document.querySelector("[data-quick-exit]");
    try { window.sessionStorage.clear(); } catch (e) { /* storage disabled: nothing kept */ }
    window.history.replaceState(null, "", "/");
    window.location.replace(link ? link.href : "https://www.google.com/");
  }
  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-quick-exit]");
    if (target) leave(event);
  });
  var last = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !document.querySelector("[data-quick-exit]")) return;
    var now = Date.now();
    if (now - last < 600) leave();
    last = now;
  });
})();

// "Near me": only with the person's permission, and only when they ask.
(function () {
  var button = document.querySelector("[data-near-me]");
  if (!button || !navigator.geolocation) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (position) {
      var near = document.getElementById("near");
      near.value = position.coords.latitude.toFixed(4) + "," + position.coords.longitude.toFixed(4);
      near.form.requestSubmit();
    });
  });
})();

// The search's "Filters (n)" panel: open beside the results on a wide screen; on a phone, closed
// again once its "Show results" is pressed, so the results it asked for are what one sees.
(function () {
  var panel = document.querySelector("details[data-open-wide]");
  if (!panel) return;
  var wide = window.matchMedia("(min-width: 52rem)");
  if (wide.matches) panel.open = true;
  panel.addEventListener("click", function (event) {
    if (wide.matches || event.target.type !== "submit") return;
    panel.open = false;
    document.getElementById("result-status").scrollIntoView();
  });
})();

// A search box that narrows a long <select> as one types (the consent recipient: every
// organization, grouped by province). Without this script the box stays hidden and the select
// works as it is. Options are taken out and put back rather than hidden: phones ignore hidden options.
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  document.querySelectorAll("input[data-filter-options]").forEach(function (box) {
    var select = document.getElementById(box.getAttribute("data-filter-options"));
    if (!select) return;
    var all = Array.prototype.slice.call(select.children).map(function (node) { return node.cloneNode(true); });
    box.hidden = false;
    box.addEventListener("input", function () {
      var words = fold(box.value).split(/\s+/).filter(Boolean);
      var chosen = select.value;
      function matches(text) { var folded = fold(text); return words.every(function (w) { return folded.indexOf(w) !== -1; }); }
      select.replaceChildren();
      all.forEach(function (node) {
        if (node.tagName !== "OPTGROUP") { select.appendChild(node.cloneNode(true)); return; }
        var whole = matches(node.label);
        var group = node.cloneNode(false);
        Array.prototype.forEach.call(node.children, function (option) {
          if (!words.length || whole || matches(option.textContent)) group.appendChild(option.cloneNode(true));
        });
        if (group.children.length) select.appendChild(group);
      });
      select.value = chosen;
      if (select.value !== chosen) select.value = "";
    });
  });
})();
