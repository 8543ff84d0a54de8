"""Words inside the third-party controls (AG Grid's menus and pager, Dash's dropdowns), in the user's
language: AG Grid's `localeText` keys (the community grid's; see AG Grid's en-US locale for the full list)
and dcc.Dropdown's `labels`, all through gettext like every other word."""
from __future__ import annotations

from flask_babel import gettext as _

from wording.i18n import N_

GRID_LOCALE = {
    # filters
    "selectAll": N_("(Select All)"), "searchOoo": N_("Search..."), "blanks": N_("(Blanks)"),
    "noMatches": N_("No matches"), "filterOoo": N_("Filter..."), "equals": N_("Equals"),
    "notEqual": N_("Does not equal"), "blank": N_("Blank"), "notBlank": N_("Not blank"),
    "empty": N_("Choose one"), "lessThan": N_("Less than"), "greaterThan": N_("Greater than"),
    "lessThanOrEqual": N_("Less than or equal to"), "greaterThanOrEqual": N_("Greater than or equal to"),
    "inRange": N_("Between"), "inRangeStart": N_("From"), "inRangeEnd": N_("To"), "contains": N_("Contains"),
    "notContains": N_("Does not contain"), "startsWith": N_("Begins with"), "endsWith": N_("Ends with"),
    "dateFormatOoo": N_("yyyy-mm-dd"), "before": N_("Before"), "after": N_("After"),
    "andCondition": N_("AND"), "orCondition": N_("OR"), "applyFilter": N_("Apply"), "resetFilter": N_("Reset"),
    "clearFilter": N_("Clear"), "cancelFilter": N_("Cancel"), "textFilter": N_("Text Filter"),
    "numberFilter": N_("Number Filter"), "dateFilter": N_("Date Filter"), "setFilter": N_("Set Filter"),
    # states
    "loadingOoo": N_("Loading..."), "loadingError": N_("ERR"), "noRowsToShow": N_("No Rows To Show"),
    "enabled": N_("Enabled"),
    # column menu
    "pinColumn": N_("Pin Column"), "pinLeft": N_("Pin Left"), "pinRight": N_("Pin Right"), "noPin": N_("No Pin"),
    "autosizeThisColumn": N_("Autosize This Column"), "autosizeAllColumns": N_("Autosize All Columns"),
    "resetColumns": N_("Reset Columns"), "columnFilter": N_("Column Filter"), "columnChooser": N_("Choose Columns"),
    "sortAscending": N_("Sort Ascending"), "sortDescending": N_("Sort Descending"), "sortUnSort": N_("Clear Sort"),
    "copy": N_("Copy"), "columns": N_("Columns"), "filters": N_("Filters"),
    # pager ("1 to 20 of 63", "Page 1 of 4")
    "more": N_("More"), "to": N_("to"), "of": N_("of"), "page": N_("Page"), "pageLastRowUnknown": "?",
    "nextPage": N_("Next Page"), "lastPage": N_("Last Page"), "firstPage": N_("First Page"),
    "previousPage": N_("Previous Page"), "pageSizeSelectorLabel": N_("Page Size:"), "footerTotal": N_("Total"),
    "totalRows": N_("Total Rows"), "totalAndFilteredRows": N_("Rows"), "filteredRows": N_("Filtered"),
    "selectedRows": N_("Selected"),
    # what screen readers read
    "ariaChecked": N_("checked"), "ariaColumn": N_("Column"), "ariaColumnFiltered": N_("Column Filtered"),
    "ariaDateFilterInput": N_("Date Filter Input"), "ariaFilterColumnsInput": N_("Filter Columns Input"),
    "ariaFilterFromValue": N_("Filter from value"), "ariaFilterInput": N_("Filter Input"),
    "ariaFilterList": N_("Filter List"), "ariaFilterToValue": N_("Filter to value"),
    "ariaFilterValue": N_("Filter Value"), "ariaFilterMenuOpen": N_("Open Filter Menu"),
    "ariaFilteringOperator": N_("Filtering Operator"), "ariaHidden": N_("hidden"),
    "ariaIndeterminate": N_("indeterminate"), "ariaMenuColumn": N_("Press ALT DOWN to open column menu"),
    "ariaFilterColumn": N_("Press CTRL ENTER to open filter"), "ariaRowSelect": N_("Press SPACE to select this row"),
    "ariaSearch": N_("Search"), "ariaSortableColumn": N_("Press ENTER to sort"),
    "ariaToggleVisibility": N_("Press SPACE to toggle visibility"), "ariaUnchecked": N_("unchecked"),
    "ariaVisible": N_("visible"), "ariaSearchFilterValues": N_("Search filter values"),
    "ariaPageSizeSelectorLabel": N_("Page Size"), "ariaLabelColumnMenu": N_("Column Menu"),
    "ariaLabelColumnFilter": N_("Column Filter"), "ariaLabelDialog": N_("Dialog"),
    "ariaLabelSelectField": N_("Select Field"), "ariaLabelTooltip": N_("Tooltip"),
    "ariaLabelLoadingContextMenu": N_("Loading Context Menu"),
    "ariaSortAscending": N_("Sort Ascending"), "ariaSortDescending": N_("Sort Descending"),
    "ariaSortNone": N_("No sort"),
}

DROPDOWN_LABELS = {
    "select_all": N_("Select All"), "deselect_all": N_("Deselect All"), "selected_count": N_("{num_selected} selected"),
    "search": N_("Search"), "clear_search": N_("Clear search"), "clear_selection": N_("Clear selection"),
    "no_options_found": N_("No options found"),
}

# dash-bootstrap-components' pager labels its buttons for screen readers with fixed English words (no prop)
PAGER_WORDS = {"First": N_("First"), "Previous": N_("Previous"), "Next": N_("Next"), "Last": N_("Last"),
               "(current)": N_("(current)"), "More": N_("More")}


def grid_locale() -> dict[str, str]:
    """AG Grid's localeText in the user's language."""
    return {key: _(text) if text != "?" else text for key, text in GRID_LOCALE.items()}


def dropdown_labels() -> dict[str, str]:
    """dcc.Dropdown's `labels` in the user's language."""
    return {key: _(text) for key, text in DROPDOWN_LABELS.items()}


def pager_words() -> dict[str, str]:
    """The pager's hidden English words and their translation (assets/controls_i18n.js swaps them)."""
    return {key: _(text) for key, text in PAGER_WORDS.items()}
