"""The resources page's content file and its pieces (pages/resources.py). The
folder name starts with "_" so that Dash's page discovery skips it."""
