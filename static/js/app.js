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
