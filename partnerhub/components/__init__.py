"""Reusable Dash pieces, each a function of plain data (numbers, lists, dicts,
an eager Polars frame). Pages read `from partnerhub.components import kpi_card`.

Nothing here imports pages, metrics, auth or data: only partnerhub.i18n and
partnerhub.formatting (tests/test_layering.py checks). shell.py (the navbar)
is the exception that needs auth and is imported by the app factory
directly, not re-exported here.
"""

from partnerhub.formatting import (
    MISSING,
    fmt,
    fmt_bool,
    fmt_change,
    fmt_date,
    fmt_days,
    fmt_int,
    fmt_months,
    fmt_number,
    fmt_ratio,
    fmt_ratio_change,
    fmt_seconds,
)

from .badges import (
    NEEDS_ATTENTION,
    STATUS_LABELS,
    STATUS_ORDER,
    split_statuses,
    status_badges,
    status_labels,
    trend_arrow,
    trend_labels,
)
from .charts import (
    PALETTE,
    bar_chart,
    calling_usage_chart,
    chart_card,
    empty_figure,
    graph_config,
    quality_chart,
    trend_chart,
)
from .downloads import download_hrefs, download_menu, download_menu_outputs, query_string
from .filters import filter_bar, multi_select, options, product_toggle, search_input
from .grid import (
    BadRowRequest,
    Column,
    RowsRequest,
    column_def,
    column_defs,
    data_grid,
    read_rows_request,
    refresh_grid_on,
    rows_response,
    sort_frame,
    sortable_columns,
    to_row_dicts,
)
from .kpi import info_icon, kpi_card, kpi_row
from .layout import empty_state, section
from .license_bar import license_bar, license_bar_segments, license_bar_text
from .sparkline import sparkline, sparkline_svg

# grid cell renderers (assets/dashAgGridComponentFunctions.js), by column kind
license_bar_cell_renderer = "LicenseBar"
sparkline_cell_renderer = "Sparkline"
trend_cell_renderer = "TrendArrow"
status_badges_cell_renderer = "StatusBadges"
customer_link_cell_renderer = "CustomerLink"

__all__ = [name for name in dir() if not name.startswith("_")]
