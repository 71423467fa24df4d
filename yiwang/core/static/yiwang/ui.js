// Small behaviours without inline script (the Content-Security-Policy allows scripts from this site only):
//   <form data-confirm="确定撤回申请？"> asks before an irreversible action is sent;
//   <select data-autosubmit> sends its form when changed.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.submit();
    }
  });
})();
