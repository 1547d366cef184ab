from flask.cli import AppGroup

users_cli = AppGroup("users", help="Partner administrators, assignments and API tokens.")
