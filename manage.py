#!/usr/bin/env python
from yiwang.cli import main

if __name__ == "__main__":
    main()
