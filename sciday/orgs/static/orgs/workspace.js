// Region selects: show only the chosen province's prefectures. Without script, all are shown
// grouped by province and the server checks that the two agree.
(function () {
  "use strict";
  function setup(province) {
    var form = province.form;
    var prefecture = form && form.querySelector("[data-region-prefecture]");
    if (!prefecture) return;
    function sync() {
      var label = province.value ? province.options[province.selectedIndex].text : null;
      var groups = prefecture.querySelectorAll("optgroup");
      for (var i = 0; i < groups.length; i++) {
        var show = label !== null && groups[i].label === label;
        groups[i].hidden = !show;
        groups[i].disabled = !show;
      }
      var chosen = prefecture.options[prefecture.selectedIndex];
      if (chosen && chosen.parentNode.tagName === "OPTGROUP" && chosen.parentNode.disabled) {
        prefecture.value = "";
      }
      prefecture.disabled = !province.value;
    }
    province.addEventListener("change", sync);
    sync();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var selects = document.querySelectorAll("[data-region-province]");
    for (var i = 0; i < selects.length; i++) setup(selects[i]);
  });
})();
