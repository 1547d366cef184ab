"""The Administration page's parts (pages/admin.py registers the page): one
module per tab with its layout and callbacks, and the form pieces they share.
Every change goes through the application layer (partnerhub/services/).
Dash does not scan this folder for pages (its name starts with "_")."""
