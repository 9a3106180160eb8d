"""`python -m sandbox.telegram SRC [DST]`: write the trimmed Bot API data the fake ships."""

from sandbox.telegram.spec import main

main()
