// Small behaviours without inline script (the Content-Security-Policy allows scripts from this site only):
//   <form data-confirm="确定撤回申请？"> asks before an irreversible action is sent;
//   <select data-autosubmit> sends its form when changed;
//   <form data-elder-toggle> switches 大字版 (html.elder) at once and keeps it in a cookie, which the
//   server reads to render the next page the same way (the form posts to /elder/ where script is off).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
  var ELDER = "yiwang_elder";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-elder-toggle")) {
      return;
    }
    event.preventDefault();
    var root = document.documentElement;
    var on = !root.classList.contains("elder");
    root.classList.toggle("elder", on);
    var secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie = ELDER + "=" + (on ? "1; max-age=31536000" : "; max-age=0") + "; path=/; SameSite=Lax" + secure;
    var button = form.querySelector("button");
    if (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = button.getAttribute(on ? "data-on" : "data-off");
    }
  });
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.submit();
    }
  });
})();
