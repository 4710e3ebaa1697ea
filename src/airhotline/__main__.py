"""``python -m airhotline``: the same as the ``airhotline`` command."""

from airhotline.cli import main

main()
