"""The customer pages' parts: the list (pages/customers.py) and one
customer's page (pages/customer_detail.py) register themselves; the layouts,
the callbacks and the little logic they need live here, one job a module.
Dash does not scan this folder for pages (its name starts with "_")."""
