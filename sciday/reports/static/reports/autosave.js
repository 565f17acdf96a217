// Autosave of a summary report's draft (progressive enhancement: without this file the Save
// button posts the form). Saves every 20 s while something changed and when the page is left,
// as JSON to the form's data-autosave-url (session cookie + CSRF header). The typed text stays in
// localStorage until the server confirmed it; a stale save (409) shows both texts and lets the
// person use theirs, use mine, or merge by hand — it never replaces what was typed by itself.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form || !window.fetch) { return; }
  var SECTIONS = ["overview", "highlights", "problems"];
  var url = form.dataset.autosaveUrl;
  var key = "sciday-report-draft-" + form.dataset.report;
  var limit = parseInt(form.dataset.limit, 10) || 0;
  var status = document.getElementById("autosave-status");
  var panel = document.getElementById("stale-panel");
  var baseInput = document.getElementById("base_version");
  var dirty = false;
  var saving = false;
  var blocked = false; // a stale save waits for the person's choice

  function t(name, values) {
    var text = form.dataset["t" + name] || "";
    Object.keys(values || {}).forEach(function (k) {
      text = text.replace("%(" + k + ")s", values[k]);
    });
    return text;
  }

  function csrf() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function field(name) { return form.elements.namedItem(name); }

  function draft() {
    var figures = {};
    Array.prototype.forEach.call(form.querySelectorAll("input[name^='fig__']"), function (input) {
      figures[input.name.slice(5)] = input.value;
    });
    var data = { base_version: parseInt(baseInput.value, 10), figures: figures };
    SECTIONS.forEach(function (name) { data[name] = field(name).value; });
    data.resources = Array.prototype.map.call(
      form.querySelectorAll("input[name=resources]:checked"), function (box) { return box.value; });
    return data;
  }

  function keep() {
    try { window.localStorage.setItem(key, JSON.stringify(draft())); } catch (e) { /* full or off */ }
  }

  function forget() {
    try { window.localStorage.removeItem(key); } catch (e) { /* off */ }
  }

  function say(text) { if (status) { status.textContent = text; } }

  function counts() {
    var total = 0;
    SECTIONS.forEach(function (name) {
      var area = field(name);
      var n = area.value.length;
      total += n;
      var out = document.getElementById(area.dataset.count);
      if (out) { out.textContent = t("Count", { count: n }); }
    });
    var totalOut = document.getElementById("char-total");
    if (totalOut) {
      totalOut.textContent = t("Total", { total: total, limit: limit });
      totalOut.classList.toggle("over-limit", limit > 0 && total > limit);
    }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function showStale(body, mine) {
    blocked = true;
    panel.textContent = "";
    panel.appendChild(el("p", "", t("Stale")));
    var theirs = body.stored || {};
    SECTIONS.forEach(function (name) {
      if ((theirs[name] || "") === (mine[name] || "")) { return; }
      var label = field(name).labels && field(name).labels[0] ? field(name).labels[0].textContent : name;
      var pair = el("div", "stale-pair");
      pair.appendChild(el("h3", "", label));
      var cols = el("div", "stale-cols");
      var a = el("div"); a.appendChild(el("h4", "", t("Theirs"))); a.appendChild(el("pre", "stale-text", theirs[name] || ""));
      var b = el("div"); b.appendChild(el("h4", "", t("Mine"))); b.appendChild(el("pre", "stale-text", mine[name] || ""));
      cols.appendChild(a); cols.appendChild(b); pair.appendChild(cols); panel.appendChild(pair);
    });
    var actions = el("div", "form-actions");
    function button(label, handler) {
      var node = el("button", "button button-secondary", label);
      node.type = "button";
      node.addEventListener("click", handler);
      actions.appendChild(node);
    }
    button(t("UseMine"), function () {
      baseInput.value = theirs.version;
      blocked = false; panel.hidden = true; dirty = true; save(false);
    });
    button(t("UseTheirs"), function () {
      SECTIONS.forEach(function (name) { field(name).value = theirs[name] || ""; });
      var figures = theirs.figures || {};
      Object.keys(figures).forEach(function (code) {
        if (code === "activities") {
          Object.keys(figures.activities || {}).forEach(function (n) {
            var input = field("fig__activities." + n);
            if (input) { input.value = figures.activities[n]; }
          });
        } else {
          var input = field("fig__" + code);
          if (input) { input.value = figures[code]; }
        }
      });
      baseInput.value = theirs.version;
      blocked = false; panel.hidden = true; dirty = false; forget(); counts();
    });
    button(t("Merge"), function () {
      // Theirs stays visible; the form keeps mine; the next save is based on their version.
      baseInput.value = theirs.version;
      blocked = false; actions.remove(); panel.appendChild(el("p", "muted", t("MergeHelp")));
      dirty = true; keep();
    });
    panel.appendChild(actions);
    panel.hidden = false;
    panel.scrollIntoView({ block: "start" });
  }

  function save(leaving) {
    if (!dirty || saving || blocked) { return; }
    var data = draft();
    keep();
    saving = true;
    dirty = false;
    say(t("Saving"));
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!leaving,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: JSON.stringify(data)
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (result) {
      saving = false;
      if (result.status === 200) {
        baseInput.value = result.body.version;
        if (!dirty) { forget(); } else { keep(); }
        say(t("Saved", { time: result.body.saved_at }));
      } else if (result.status === 409 && result.body.code === "stale") {
        dirty = true;
        say(t("Stale"));
        showStale(result.body, data);
      } else {
        dirty = true;
        say(t("Failed", { error: result.body.error || result.status }));
      }
    }).catch(function () {
      saving = false;
      dirty = true;
      say(t("Offline"));
    });
  }

  function restoreOffer() {
    var raw = null;
    try { raw = window.localStorage.getItem(key); } catch (e) { return; }
    if (!raw) { return; }
    var kept;
    try { kept = JSON.parse(raw); } catch (e) { forget(); return; }
    var differs = SECTIONS.some(function (name) { return (kept[name] || "") !== field(name).value; });
    if (!differs) { forget(); return; }
    var box = el("div", "message message-warning restore-offer");
    box.appendChild(el("span", "", t("Restore") + " "));
    var yes = el("button", "button button-small", t("RestoreButton"));
    yes.type = "button";
    yes.addEventListener("click", function () {
      SECTIONS.forEach(function (name) { field(name).value = kept[name] || ""; });
      Object.keys(kept.figures || {}).forEach(function (code) {
        var input = field("fig__" + code);
        if (input) { input.value = kept.figures[code]; }
      });
      // Based on the version it was typed on: if someone saved since, the save shows both.
      if (kept.base_version) { baseInput.value = kept.base_version; }
      box.remove(); dirty = true; counts(); save(false);
    });
    var no = el("button", "button button-small button-secondary", t("DiscardButton"));
    no.type = "button";
    no.addEventListener("click", function () { forget(); box.remove(); });
    box.appendChild(yes); box.appendChild(document.createTextNode(" ")); box.appendChild(no);
    form.insertBefore(box, form.firstChild);
  }

  form.addEventListener("input", function (event) {
    if (event.target.type === "file") { return; }
    dirty = true;
    keep();
    counts();
  });
  form.addEventListener("change", function (event) {
    if (event.target.type === "file") { return; }
    dirty = true;
    keep();
  });
  form.addEventListener("submit", function () {
    // The form posts everything itself; the server confirms or shows both texts.
    dirty = false;
    blocked = true;
  });
  window.setInterval(function () { save(false); }, 20000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { save(true); }
  });
  window.addEventListener("pagehide", function () { save(true); });
  restoreOffer();
  counts();
})();
