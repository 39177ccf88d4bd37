#!/usr/bin/env python
"""Run a management command from the source tree (an installed Amparo has ``amparo``)."""

from config.cli import main

if __name__ == "__main__":
    main()
