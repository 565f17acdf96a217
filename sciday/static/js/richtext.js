/* Turn each textarea.richtext-source into a Trix editor (static/vendor/trix/, loaded before).
 *
 * Without JavaScript (or if Trix fails to load) the textarea stays and is submitted as it is.
 * With it, the textarea gives its name to a hidden input that Trix keeps up to date, and is
 * removed from the form. The server sanitizes whatever arrives (sciday.core.richtext), so the
 * settings below only make the editor offer what will be kept:
 * - paragraphs are <div> in Trix (stored as <p>), the heading is an <h2>, strikethrough <s>;
 * - no code blocks (the button is hidden by richtext.css) and no attachments: pictures come
 *   from the resource library.
 * Trix injects its default styles in a <style> element carrying the nonce of the page's CSP,
 * which it reads from <meta name="trix-csp-nonce"> (set by the form template).
 */
(function () {
  "use strict";
  if (!window.Trix || !window.customElements) {
    return;
  }
  var config = window.Trix.config;
  config.blockAttributes.heading1.tagName = "h2";
  config.textAttributes.strike.tagName = "s";

  function labels(textarea) {
    try {
      return JSON.parse(textarea.getAttribute("data-richtext-labels") || "{}");
    } catch (error) {
      return {};
    }
  }

  function upgrade(textarea) {
    var text = labels(textarea);
    Object.keys(text).forEach(function (key) {
      if (key in config.lang) {
        config.lang[key] = text[key];
      }
    });
    var id = textarea.id || "richtext-" + Math.random().toString(36).slice(2);
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = textarea.name;
    input.id = id + "-value";
    // Trix reads a <p> as a block plus extra line breaks (for its margins): hand it the stored
    // paragraphs as the <div> blocks it writes itself, so that a round trip changes nothing.
    input.value = textarea.value.replace(/<(\/?)p>/g, "<$1div>");
    var editor = document.createElement("trix-editor");
    editor.setAttribute("input", input.id);
    editor.setAttribute("id", id);
    editor.className = "richtext-editor";
    editor.setAttribute("aria-label", text.editor || textarea.name);
    var described = textarea.getAttribute("aria-describedby");
    if (described) {
      editor.setAttribute("aria-describedby", described);
    }
    if (textarea.getAttribute("aria-invalid")) {
      editor.setAttribute("aria-invalid", textarea.getAttribute("aria-invalid"));
    }
    var label = document.querySelector('label[for="' + textarea.id + '"]');
    textarea.parentNode.insertBefore(input, textarea);
    textarea.parentNode.insertBefore(editor, textarea);
    textarea.parentNode.removeChild(textarea);
    if (label) {
      label.addEventListener("click", function () {
        editor.focus();
      });
    }
  }

  // Files dropped or pasted into the editor are refused: the description holds text only.
  document.addEventListener("trix-file-accept", function (event) {
    event.preventDefault();
  });

  function start() {
    var areas = document.querySelectorAll("textarea.richtext-source:not([disabled])");
    Array.prototype.forEach.call(areas, upgrade);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
