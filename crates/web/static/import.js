// The lead import page: sends the upload form with XMLHttpRequest so a
// progress bar can show the upload, then shows the report the server
// answers in place of the form. Without this script the form posts as usual.
(function () {
  "use strict";

  function bind(form) {
    if (!form || !window.FormData || !window.XMLHttpRequest || !window.DOMParser) {
      return;
    }
    form.addEventListener("submit", function (event) {
      var file = form.querySelector("input[type=file]");
      if (!file || !file.files || file.files.length === 0) {
        return; // the browser's own "required" message
      }
      event.preventDefault();
      var box = document.getElementById("import-progress");
      var bar = box && box.querySelector("progress");
      var text = document.getElementById("import-progress-text");
      var button = form.querySelector("button[type=submit]");
      if (button) {
        button.disabled = true;
      }
      if (box) {
        box.hidden = false;
      }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable || !bar) {
          return;
        }
        var percent = Math.round((e.loaded / e.total) * 100);
        bar.value = percent;
        if (text) {
          text.textContent = (form.dataset.uploading || "") + " " + percent + " %";
        }
      });
      xhr.upload.addEventListener("load", function () {
        if (bar) {
          bar.removeAttribute("value"); // indeterminate while the server works
        }
        if (text) {
          text.textContent = form.dataset.checking || "";
        }
      });
      xhr.addEventListener("load", function () {
        var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
        var fresh = page.getElementById("import-panel");
        var panel = document.getElementById("import-panel");
        if (fresh && panel) {
          panel.replaceWith(fresh);
          document.title = page.title || document.title;
          var focus = document.getElementById("import-report") || document.getElementById("import-error");
          if (focus) {
            focus.setAttribute("tabindex", "-1");
            focus.focus();
          }
          bind(document.getElementById("import-form"));
        } else {
          // Not the import page (signed out, an error page): show it whole.
          document.open();
          document.write(xhr.responseText);
          document.close();
        }
      });
      xhr.addEventListener("error", function () {
        // The connection failed: fall back to a plain post.
        if (button) {
          button.disabled = false;
        }
        form.submit();
      });
      xhr.send(new FormData(form));
    });
  }

  bind(document.getElementById("import-form"));
})();
