/* CKAN adds the close button of each message at the top of a page
 * (notify.js) before the translations of the scripts are loaded: its label
 * stays "Close" in every language. This module, on the messages' container,
 * runs once they are loaded and labels the buttons in the reader's
 * language. */
ckan.module("territoire-close-label", function () {
  return {
    initialize: function () {
      var label = this._("Close");
      var container = this.el;
      function relabel() {
        container.find(".btn-close").attr("aria-label", label);
      }
      relabel();
      // Messages added later by scripts (ckan.notify) get their label too.
      new MutationObserver(relabel).observe(container[0], { childList: true });
    },
  };
});
