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
