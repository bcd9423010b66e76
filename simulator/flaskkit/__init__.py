"""What every Flask surface (web console, phone webhooks) shares: sessions and roles, security
headers, the Flask extensions and the interface language. No blueprints, templates or forms here.
"""
