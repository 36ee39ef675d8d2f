/* On the dataset form, the fields that only a fee needs (its legal basis,
 * its terms) are hidden while reuse is free, the rule; shown as soon as
 * "a fee applies" is chosen. A field that holds a value or an error stays
 * visible, so that nothing entered is hidden from its author. */
ckan.module("territoire-fee-fields", function ($) {
  return {
    initialize: function () {
      var select = this.el;
      var fields = $("#field-reuse_fee_basis, #field-reuse_fee_terms");
      function toggle() {
        var free = select.val() !== "fee";
        fields.each(function () {
          var group = $(this).closest(".form-group, .control-group");
          var kept = $(this).val() || group.hasClass("error");
          group.toggle(!free || Boolean(kept));
        });
      }
      select.on("change", toggle);
      toggle();
    },
  };
});
