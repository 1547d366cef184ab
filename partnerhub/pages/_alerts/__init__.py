"""The Alerts page's parts (pages/alerts.py): the alerts list and its
mark-read, the rules and their form, the bell of the navigation bar."""
