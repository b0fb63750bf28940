"""A local Kubernetes control plane for tests, benchmarks and the ``make run`` sandbox (see controlplane.py)."""
