"""A local e-Doręczenia: the User Agent API (uaapi 3.0.8.1) simulated over HTTP.

- ``contract`` loads the published OpenAPI document and checks requests and answers;
- ``auth`` the OAuth2 client-credentials token endpoint and bearer/scope checks;
- ``state`` mailboxes, drafts, messages, evidences, tasks; ``delivery`` what sending does;
- ``evidences`` the evidence XML and the deemed-delivery date; ``limits`` the service's rules;
- ``notifier`` subscription callbacks; ``faults`` transient failures on demand;
- ``api`` the operations; ``control`` the ``/_sim/`` test control; ``server`` the HTTP server.
"""

from ezd.local.edoreczenia.server import ContractViolation, EdoreczeniaSimulator

__all__ = ["ContractViolation", "EdoreczeniaSimulator"]
