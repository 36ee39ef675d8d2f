"""CKAN strings this extension translates again because CKAN's French
catalogue lacks them or reads oddly ("2 kibi" for a file size). Listed here
so that `make i18n` extracts them into our catalogue, which Flask-Babel
merges after CKAN's: our translation wins on every page."""

from __future__ import annotations

from ckanext.opendata_territoire.i18n_markers import N_


def ngettext(singular: str, plural: str, number: int = 1) -> tuple[str, str]:
    """Marks a plural string for extraction."""
    return singular, plural


OVERRIDES = (
    N_("{kibibytes} KiB"),
    N_("{mebibytes} MiB"),
    N_("{gibibytes} GiB"),
    N_("{tebibytes} TiB"),
    N_("Dataset description:"),
    # Shown untranslated (CKAN 2.11's French catalogue has no translation or
    # one without accents): dev/untranslated.py finds them.
    N_("Account"),
    N_("All activity types"),
    N_("API Tokens"),
    N_("Breadcrumb"),
    N_("Dataset not found or you have no permission to view it"),
    N_("Edit metadata"),
    N_("Edit resource"),
    N_("Filter Results"),
    N_("No activity found"),
    N_("No activity found for this type"),
    N_("Profile picture"),
    N_("Profile picture URL"),
    N_("Profile settings"),
    N_("Search Datasets..."),
    N_("Search {object_type}s..."),
    N_("Search followee"),
    N_("Skip to main content"),
    N_("Submit"),
    N_("Toggle navigation"),
    N_("Username or Email"),
    N_("View this version"),
    ngettext("{num} Member", "{num} Members"),
    ngettext("{count} member", "{count} members"),
    # The DataTables preview (ckanext-datatablesview) and its view form.
    N_("Refit"),
    N_("List view/Responsive display"),
    N_("Ellipsis length"),
    N_(
        "Length at which data will be truncated with an ellipsis for display. "
        "Set to zero for no truncation, and for data to be wrapped at column "
        "name width instead."
    ),
    N_("Date format"),
    N_(
        'Moment.js date format to use for displaying dates (see <a href="https://'
        'devhints.io/moment#formatting-1" target="_blank">Moment.js cheatsheet</a>).'
        " If <b>NONE</b>, the raw timestamp value will be shown."
    ),
)


# CKAN's strings used by its JavaScript modules that its French catalogue
# leaves untranslated, with the script that uses each: dev/i18n.py records
# that script as the string's location, which is how CKAN's `translation js`
# (and `ckan run`) picks the strings of the scripts' translations.
DATATABLES = "ckanext/datatablesview/assets/datatablesview.js"
JS_OVERRIDES = {
    "Close": "ckan/public/base/javascript/modules/confirm-action.js",
    # The buttons and messages of the DataTables preview.
    "Print": DATATABLES,
    "seconds": DATATABLES,
    "Double-click to reset filters": DATATABLES,
    "Table/List toggle": DATATABLES,
    "Copy to clipboard": DATATABLES,
    "Toggle column visibility": DATATABLES,
    "Restore visibility": DATATABLES,
    "Show all": DATATABLES,
    "Show none": DATATABLES,
    "Filtered": DATATABLES,
    "Filtered download": DATATABLES,
    "Share current view": DATATABLES,
    "Copied deeplink to clipboard": DATATABLES,
    "Sort": DATATABLES,
    "Press SHIFT key while clicking on\nsort control for multi-column sort": DATATABLES,
}
# (assets/close-label.js asks for "Close" too: extracted from there.)
