// Keeps the home page's countdown to the Day current while the page stays open (and when a
// cached copy is a few seconds old at midnight). The server already rendered the right
// sentence; this only recomputes it, in Beijing time (UTC+8, no daylight saving).
(function () {
  "use strict";
  var el = document.getElementById("countdown");
  if (!el || !el.dataset.day) { return; }
  var DAY_MS = 86400000;

  function dayNumber(iso) {
    var p = iso.split("-");
    return Date.UTC(+p[0], +p[1] - 1, +p[2]) / DAY_MS;
  }

  function todayInBeijing() {
    return Math.floor((Date.now() + 8 * 3600000) / DAY_MS);
  }

  function text() {
    var today = todayInBeijing();
    var day = dayNumber(el.dataset.day);
    var end = dayNumber(el.dataset.end);
    if (today < day) {
      var n = day - today;
      return (n === 1 ? el.dataset.one : el.dataset.other).replace("{n}", String(n));
    }
    if (today === day) { return el.dataset.today; }
    if (today <= end) { return el.dataset.afterDay; }
    return el.dataset.over;
  }

  function update() {
    var next = text();
    if (next && el.textContent.trim() !== next) { el.textContent = next; }
  }

  update();
  window.setInterval(update, 60000);
})();
