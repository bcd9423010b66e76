"""Centralino: the pure domain of the switchboard training simulator."""
