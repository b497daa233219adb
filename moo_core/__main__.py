import sys

from moo_core.cli import main

sys.exit(main())
