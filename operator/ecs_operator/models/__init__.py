"""The ECS shapes: generated AWS request shapes (`*_api.py`), the custom resources' specs with their
cross-field checks, the status contract, and the CRDs generated from them."""
