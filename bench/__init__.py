"""Performance figures of ecs-operator: `python -m bench` (or `make bench`) prints them; see docs/benchmarks.md."""
