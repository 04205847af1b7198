// Badge form (/teach/badges/new, /teach/badges/{id}): a live preview of the chosen image and
// the name before anything is uploaded. Without JavaScript the page shows the saved image.
(function () {
  "use strict";
  var input = document.getElementById("image");
  var img = document.getElementById("preview-img");
  var name = document.getElementById("name");
  var caption = document.getElementById("preview-name");
  if (input && img) {
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) {
        return;
      }
      // A data: URL (allowed by the page's CSP for images), read locally; nothing is sent.
      var reader = new FileReader();
      reader.onload = function () {
        img.src = String(reader.result);
        img.hidden = false;
      };
      reader.readAsDataURL(file);
    });
  }
  if (name && caption) {
    name.addEventListener("input", function () {
      caption.textContent = name.value;
      if (img) {
        img.alt = name.value;
      }
    });
  }
})();
