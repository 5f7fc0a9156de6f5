"""Thin views over the session: each is ``View(session, parent=None)`` and listens to its signals."""
