"""The portable build's ``workbench`` command: the same command line as ``pip install`` gives."""

import sys

from workbench.cli import main

if __name__ == "__main__":
    sys.exit(main())
