"""Building blocks of the analytics and calling pages (pages/analytics.py,
pages/calling.py): the page URL as a view, the "KPI cards + grid + download
menu" section, the chart section, and the section definitions of each page.

The folder name starts with "_" so that Dash's page discovery skips it: the
page modules import it like any package.
"""
