"""Reading what happened: `/status` of a send and `/history` of a chat."""
