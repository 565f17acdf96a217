/* The resource upload form (/workspace/resources/new/): fields by kind, resumable file upload.
 *
 * 1. Only the fields of the chosen kind are shown (blocks marked data-kinds="photo video ...").
 *    Without JavaScript every field shows and the server takes only what the kind uses.
 * 2. With tus-js-client (static/vendor/tus/, loaded before), choosing a file uploads it at once
 *    to the tus endpoint (/uploads/tus/, data-tus-endpoint) in chunks, with a progress bar. A
 *    lost connection is retried (retryDelays), and resumed when the browser is back online; a
 *    file chosen again after a reload resumes where it stopped (tus-js-client remembers the
 *    upload's address in localStorage). Once done, the upload's id goes in the hidden field
 *    `upload_id` and the file input is left out of the submitted form; the server then makes the
 *    resource from the upload. Without JavaScript (or without tus support) the file is sent with
 *    the form as a plain multipart upload.
 */
(function () {
  "use strict";
  var form = document.querySelector("form.resource-form");
  if (!form) {
    return;
  }
  var MB = 1024 * 1024;

  // --- Fields by kind ------------------------------------------------------------------------
  var kindInputs = form.querySelectorAll("input[name='kind']");
  var blocks = form.querySelectorAll("[data-kinds]");

  function currentKind() {
    for (var i = 0; i < kindInputs.length; i += 1) {
      if (kindInputs[i].checked) {
        return kindInputs[i].value;
      }
    }
    return "";
  }

  function showKind() {
    var kind = currentKind();
    for (var i = 0; i < blocks.length; i += 1) {
      var kinds = blocks[i].getAttribute("data-kinds").split(" ");
      blocks[i].hidden = kind !== "" && kinds.indexOf(kind) === -1;
    }
  }

  for (var k = 0; k < kindInputs.length; k += 1) {
    kindInputs[k].addEventListener("change", showKind);
  }
  showKind();

  // --- Resumable upload ----------------------------------------------------------------------
  var tus = window.tus;
  var fileInput = form.querySelector("input[type='file'][name='file']");
  var idInput = form.querySelector("input[name='upload_id']");
  var box = form.querySelector("[data-upload-progress]");
  if (!tus || !tus.isSupported || !fileInput || !idInput || !box) {
    return;
  }
  var bar = box.querySelector("progress");
  var status = box.querySelector("[data-upload-status]");
  var cancel = box.querySelector("[data-upload-cancel]");
  var submit = form.querySelector("button[type='submit']");
  var csrf = form.querySelector("input[name='csrfmiddlewaretoken']");
  var unitInput = form.querySelector("[name='unit']");
  var upload = null;
  var failed = false;

  function message(name) {
    return form.getAttribute("data-msg-" + name) || "";
  }

  function say(text, isError) {
    box.hidden = false;
    status.textContent = text;
    status.classList.toggle("upload-error", Boolean(isError));
  }

  function setBusy(busy) {
    cancel.hidden = !busy;
    if (submit) {
      submit.disabled = busy;
      submit.title = busy ? message("wait") : "";
    }
  }

  function progress(done, total) {
    var percent = total ? Math.floor((done / total) * 100) : 0;
    bar.value = percent;
    say(
      percent + "% · " +
        message("progress")
          .replace("{done}", (done / MB).toFixed(1))
          .replace("{total}", (total / MB).toFixed(1))
    );
  }

  function serverMessage(error) {
    var response = error && error.originalResponse;
    if (response) {
      try {
        var body = JSON.parse(response.getBody() || "{}");
        if (body.detail) {
          return body.detail;
        }
      } catch (ignored) {
        // Not JSON: fall through to the library's own text.
      }
    }
    return String((error && error.message) || error);
  }

  function isOffline(error) {
    return !navigator.onLine || !(error && error.originalResponse);
  }

  function reset() {
    upload = null;
    failed = false;
    idInput.value = "";
    bar.value = 0;
    setBusy(false);
  }

  function start(file) {
    if (upload) {
      upload.abort(true);
    }
    reset();
    upload = new tus.Upload(file, {
      endpoint: form.getAttribute("data-tus-endpoint"),
      chunkSize: 8 * MB,
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000],
      removeFingerprintOnSuccess: true,
      headers: { "X-CSRFToken": csrf ? csrf.value : "" },
      metadata: {
        filename: file.name,
        filetype: file.type || "",
        kind: currentKind(),
        unit: unitInput ? unitInput.value : "",
      },
      onProgress: progress,
      onSuccess: function () {
        var parts = upload.url.replace(/\/+$/, "").split("/");
        idInput.value = parts[parts.length - 1];
        bar.value = 100;
        failed = false;
        setBusy(false);
        say(message("done"));
      },
      onError: function (error) {
        if (isOffline(error)) {
          failed = true; // resumed by the "online" event below
          say(message("offline"), true);
          return;
        }
        var text = serverMessage(error);
        reset();
        say(message("error") + " " + text, true);
        fileInput.value = "";
      },
    });
    setBusy(true);
    progress(0, file.size);
    var current = upload;
    upload.findPreviousUploads().then(function (previous) {
      if (current !== upload) {
        return;
      }
      if (previous.length) {
        upload.resumeFromPreviousUpload(previous[0]);
      }
      upload.start();
    });
  }

  fileInput.addEventListener("change", function () {
    if (fileInput.files && fileInput.files.length) {
      start(fileInput.files[0]);
    } else if (upload) {
      upload.abort(true);
      reset();
      box.hidden = true;
    }
  });

  cancel.addEventListener("click", function () {
    if (upload) {
      upload.abort(true);
    }
    reset();
    fileInput.value = "";
    box.hidden = true;
  });

  window.addEventListener("online", function () {
    if (upload && failed) {
      failed = false;
      upload.start();
    }
  });

  form.addEventListener("submit", function (event) {
    if (upload && !idInput.value) {
      event.preventDefault();
      say(message("wait"), true);
      return;
    }
    if (idInput.value) {
      // The file is on the server already: do not send it a second time.
      fileInput.disabled = true;
    }
  });

  // Back on the form after a refusal of another field: the upload is kept.
  if (idInput.value) {
    say(message("kept"));
    bar.value = 100;
  }
})();
