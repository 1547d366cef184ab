"""The parts of "This week" (pages/home.py): its address, KPI cards,
worklist, follow-ups, layout and callbacks."""
