import sys

if sys.argv[1:2] == ["health"]:  # container health checks: no torch import (worker/health.py)
    from worker.health import main
else:
    from worker.cli import main

sys.exit(main())
