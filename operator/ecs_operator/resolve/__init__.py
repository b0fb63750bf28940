"""Resolving what a resource refers to: its cluster, task definition revision, security groups and task role.

One concern, one package, used by every reconciler: the functions here are pure and answer from records of the
referenced objects (``records.py``), which the operator keeps in its caches (Kopf indices, fed by its watches).
Nothing here talks to the API server, so a reconcile that only resolves references costs no request.
"""
