"""The practice layer: attempts, the scenario library and accounts, shared by every surface.

Web, phone and terminal reach a call through this package; it stands on the domain and the
store and imports no Flask, Twilio or audio library.
"""
