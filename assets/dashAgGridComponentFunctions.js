/* Cell renderers for dash-ag-grid (looked up by name in columnDefs' cellRenderer). */
var dagcomponentfuncs = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});

/* A small button showing the cell's text (none when the cell is empty); a click sets the grid's
   cellRendererData ({value, colId, rowId, rowIndex, timestamp}) for a Dash callback. */
dagcomponentfuncs.BxActionButton = function (props) {
    if (!props.value) {
        return null;
    }
    return React.createElement("button", {
        type: "button",
        className: "btn btn-sm btn-outline-primary py-0 bx-grid-action",
        "data-row": props.node ? props.node.id : "",
        onClick: function () { props.setData(props.value); },
    }, props.value);
};
