import sys

from ecs_operator.cli import main

sys.exit(main())
